import { describe, expect, it } from "vitest";
import { sampleRunEvent } from "../../../test/support/lineage-events.js";
import { secretFromEnv } from "../../config/secret.js";
import { WeirError } from "../../core/errors.js";
import { sqlJobFacet } from "./job-facets.js";
import { taskJob } from "./job-naming.js";
import { RUN_EVENT_SCHEMA_URL, WEIR_PRODUCER, WEIR_VERSION } from "./producer.js";
import { runEvent } from "./run-event.js";
import { newRunId } from "./run-id.js";
import { RUN_EVENT_TYPES, type RunEvent } from "./types.js";
import { assertValidRunEvent, validateRunEvent } from "./validate-run-event.js";

/** An event as parsed JSON, whose paths the cases below reach into and break. */
// biome-ignore lint/suspicious/noExplicitAny: the cases mutate arbitrary paths of the parsed JSON.
type EventJson = Record<string, any>;
const clone = (event: RunEvent): EventJson => JSON.parse(JSON.stringify(event));

describe("runEvent", () => {
  it.each(RUN_EVENT_TYPES)("builds a %s event the 2-0-2 schema accepts", (eventType) => {
    const event = sampleRunEvent(eventType);
    expect(validateRunEvent(event)).toEqual({ valid: true, errors: [] });
    expect(event.eventType).toBe(eventType);
    expect(event.producer).toBe(WEIR_PRODUCER);
    expect(event.schemaURL).toBe("https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent");
    // What a transport sends is the JSON: it must validate after a round trip too.
    expect(validateRunEvent(clone(event)).errors).toEqual([]);
  });

  it("names weir's release in the producer and fills the minimal event's defaults", () => {
    expect(WEIR_VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(WEIR_PRODUCER).toBe(`https://github.com/weir-data/weir/tree/${WEIR_VERSION}`);
    const before = Date.now();
    const event = runEvent({ eventType: "START", run: { runId: newRunId() }, job: taskJob("p", "t") });
    expect(event).toMatchObject({ inputs: [], outputs: [], job: { namespace: "weir", name: "p.t" } });
    expect(event.schemaURL).toBe(RUN_EVENT_SCHEMA_URL);
    expect(Date.parse(event.eventTime)).toBeGreaterThanOrEqual(before - 1);
    expect(event.eventTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(validateRunEvent(event).valid).toBe(true);
  });

  it("writes a given event time as an ISO-8601 instant", () => {
    const event = runEvent({
      eventType: "RUNNING",
      eventTime: "2024-03-01T12:00:00+02:00",
      run: { runId: newRunId() },
      job: taskJob("p", "t"),
    });
    expect(event.eventTime).toBe("2024-03-01T10:00:00.000Z");
    expect(() =>
      runEvent({
        eventType: "START",
        eventTime: "yesterday",
        run: { runId: newRunId() },
        job: taskJob("p", "t"),
      }),
    ).toThrow(RangeError);
  });

  it("scrubs registered secrets from every string of the event", () => {
    process.env.WEIR_TEST_LINEAGE_SECRET = "s3cr3t-pa55word";
    const secret = secretFromEnv("WEIR_TEST_LINEAGE_SECRET");
    const event = runEvent({
      eventType: "COMPLETE",
      run: { runId: newRunId() },
      job: {
        ...taskJob("p", "t"),
        facets: { sql: sqlJobFacet(`ATTACH 'postgres://u:${secret.reveal()}@h/db'`) },
      },
    });
    expect(JSON.stringify(event)).not.toContain(secret.reveal());
    expect(event.job.facets?.sql?.query).toContain("[redacted WEIR_TEST_LINEAGE_SECRET]");
    delete process.env.WEIR_TEST_LINEAGE_SECRET;
  });
});

describe("validateRunEvent rejects what the spec rejects", () => {
  const cases: [string, (e: EventJson) => void, RegExp][] = [
    ["a missing runId", (e) => delete e.run.runId, /\/run must have required property 'runId'/],
    ["a runId that is not a UUID", (e) => (e.run.runId = "run-42"), /\/run\/runId must match format "uuid"/],
    [
      "an eventType outside the enum",
      (e) => (e.eventType = "SUCCEEDED"),
      /\/eventType must be equal to one of the allowed values/,
    ],
    ["a missing eventTime", (e) => delete e.eventTime, /must have required property 'eventTime'/],
    [
      "an eventTime without a zone",
      (e) => (e.eventTime = "2024-03-01 10:00"),
      /\/eventTime must match format "date-time"/,
    ],
    ["a producer that is not a URI", (e) => (e.producer = "weir"), /\/producer must match format "uri"/],
    ["a missing schemaURL", (e) => delete e.schemaURL, /must have required property 'schemaURL'/],
    [
      "a job without a namespace",
      (e) => delete e.job.namespace,
      /\/job must have required property 'namespace'/,
    ],
    [
      "a dataset without a name",
      (e) => delete e.inputs[0].name,
      /\/inputs\/0 must have required property 'name'/,
    ],
    ["a facet without _producer", (e) => delete e.run.facets.parent._producer, /_producer/],
    [
      "a parent facet with a bad run id",
      (e) => (e.run.facets.parent.run.runId = "nope"),
      /\/run\/facets\/parent\/run\/runId must match format "uuid"/,
    ],
    [
      "a column lineage transformation without a type",
      (e) => delete e.outputs[0].facets.columnLineage.fields.id.inputFields[0].transformations[0].type,
      /\/outputs\/0\/facets\/columnLineage\/fields\/id\/inputFields\/0\/transformations\/0 must have required property 'type'/,
    ],
    [
      "an assertion whose success is not a boolean",
      (e) => (e.inputs[0].inputFacets.dataQualityAssertions.assertions[0].success = "yes"),
      /\/inputs\/0\/inputFacets\/dataQualityAssertions\/assertions\/0\/success must be boolean/,
    ],
    [
      "a weir facet naming another schema version",
      (e) =>
        (e.job.facets.sql._schemaURL =
          "https://openlineage.io/spec/facets/1-0-1/SQLJobFacet.json#/$defs/SQLJobFacet"),
      /\/job\/facets\/sql\/_schemaURL is .*1-0-1.*: weir's "sql" facet follows .*1-1-0/,
    ],
  ];

  it.each(cases)("%s", (_name, mutate, expected) => {
    const event = clone(sampleRunEvent("COMPLETE"));
    mutate(event);
    const result = validateRunEvent(event);
    expect(result.valid).toBe(false);
    expect(result.errors.join("\n")).toMatch(expected);
  });

  it("accepts other producers' custom facets it has no schema for, and checks their base fields", () => {
    const event = clone(sampleRunEvent("START"));
    event.run.facets.spark_properties = {
      _producer: "https://github.com/OpenLineage/OpenLineage/tree/1.0.0/integration/spark",
      _schemaURL: "https://example.com/SparkPropertiesFacet.json#/$defs/SparkPropertiesFacet",
      properties: { "spark.master": "local" },
    };
    expect(validateRunEvent(event).errors).toEqual([]);
    delete event.run.facets.spark_properties._schemaURL;
    expect(validateRunEvent(event).errors.join("\n")).toMatch(/_schemaURL/);
  });

  it("assertValidRunEvent throws an INTERNAL WeirError listing the problems", () => {
    const event = clone(sampleRunEvent("START"));
    event.run.runId = "x";
    let thrown: unknown;
    try {
      assertValidRunEvent(event);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(WeirError);
    expect((thrown as WeirError).code).toBe("INTERNAL");
    expect((thrown as WeirError).message).toContain('/run/runId must match format "uuid"');
    expect(() => assertValidRunEvent(sampleRunEvent("START"))).not.toThrow();
  });
});
