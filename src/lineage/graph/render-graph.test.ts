import { describe, expect, it } from "vitest";
import {
  columnNodeId,
  datasetNodeId,
  jobNodeId,
  type LineageGraph,
  type LineageNode,
} from "./lineage-graph.js";
import { renderDot } from "./render-dot.js";
import { renderMermaid } from "./render-mermaid.js";
import { renderTree } from "./render-tree.js";

// Names that could break a diagram: quotes, dots, brackets, a backslash, a pipe, `#` and `;`.
const HOSTILE = { namespace: 'file:///data/"quoted"', name: 'he said "hi".v1' };
const LAKE = { namespace: "file:///lake", name: "raw/orders" };
const JOB = { namespace: "weir", name: "load [x] | y; #1" };

const datasetNode = (
  key: { namespace: string; name: string },
  depth: number,
  weirName?: string,
): LineageNode => ({
  id: datasetNodeId(key),
  kind: "dataset",
  ...key,
  ...(weirName ? { weirName } : {}),
  depth,
});

/** hostile ← job ← lake.raw.orders, and hostile ← lake back again (a diamond). */
const datasetGraph: LineageGraph = {
  root: datasetNodeId(HOSTILE),
  direction: "upstream",
  nodes: [
    datasetNode(HOSTILE, 0),
    { id: jobNodeId(JOB), kind: "job", ...JOB, depth: 1 },
    datasetNode(LAKE, 1, 'lake.raw.or"ders\\x'),
  ],
  edges: [
    { from: jobNodeId(JOB), to: datasetNodeId(HOSTILE), kind: "writes" },
    { from: datasetNodeId(LAKE), to: jobNodeId(JOB), kind: "reads" },
  ],
};

const columnGraph: LineageGraph = {
  root: columnNodeId(HOSTILE, "total"),
  direction: "upstream",
  nodes: [
    { id: columnNodeId(HOSTILE, "total"), kind: "column", ...HOSTILE, field: "total", depth: 0 },
    {
      id: columnNodeId(LAKE, "amount"),
      kind: "column",
      ...LAKE,
      weirName: "lake.raw.orders",
      field: "amount",
      depth: 1,
    },
    {
      id: columnNodeId(LAKE, "status"),
      kind: "column",
      ...LAKE,
      weirName: "lake.raw.orders",
      field: "status",
      depth: 1,
    },
    {
      id: columnNodeId(LAKE, "email"),
      kind: "column",
      ...LAKE,
      weirName: "lake.raw.orders",
      field: "email",
      depth: 1,
    },
  ],
  edges: [
    {
      from: columnNodeId(LAKE, "amount"),
      to: columnNodeId(HOSTILE, "total"),
      kind: "column",
      type: "DIRECT",
      subtype: "AGGREGATION",
      masking: false,
      job: JOB,
    },
    {
      from: columnNodeId(LAKE, "status"),
      to: columnNodeId(HOSTILE, "total"),
      kind: "column",
      type: "INDIRECT",
      subtype: "FILTER",
      datasetLevel: true,
      masking: false,
      job: JOB,
    },
    {
      from: columnNodeId(LAKE, "email"),
      to: columnNodeId(HOSTILE, "total"),
      kind: "column",
      type: "DIRECT",
      subtype: "TRANSFORMATION",
      masking: true,
      job: JOB,
    },
  ],
};

describe("renderMermaid", () => {
  it("draws a flowchart with generated ids and escaped labels", () => {
    const text = renderMermaid(datasetGraph);
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe("flowchart LR");
    expect(lines[1]).toBe('  n0[("file:///data/#34;quoted#34;/he said #34;hi#34;.v1")]');
    expect(lines[2]).toBe('  n1(["load #91;x#93; #124; y#59; #35;1"])');
    expect(lines[3]).toBe('  n2[("lake.raw.or#34;ders#92;x")]');
    expect(lines).toContain("  n1 --> n0");
    expect(lines).toContain("  n2 --> n1");
    expect(lines.at(-1)).toBe("  style n0 stroke-width:3px");
    // Every label is one quoted string: no stray quote, bracket or pipe inside.
    for (const line of lines.slice(1, 4))
      expect(line).toMatch(/^ {2}n\d+(\[\(|\(\[|\[)"[^"[\]|]*"(\)\]|\]\)|\])$/);
  });

  it("labels column edges, dotting the indirect ones", () => {
    const lines = renderMermaid(columnGraph).trimEnd().split("\n");
    expect(lines[2]).toBe('  n1["lake.raw.orders.amount"]');
    expect(lines).toContain('  n1 -->|"DIRECT AGGREGATION"| n0');
    expect(lines).toContain('  n2 -.->|"INDIRECT FILTER, all fields"| n0');
    expect(lines).toContain('  n3 -->|"DIRECT TRANSFORMATION, masked"| n0');
  });
});

describe("renderDot", () => {
  it("writes a digraph whose labels are quoted with quotes and backslashes escaped", () => {
    const text = renderDot(datasetGraph);
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe("digraph lineage {");
    expect(lines.at(-1)).toBe("}");
    expect(lines).toContain(
      '  n0 [label="file:///data/\\"quoted\\"/he said \\"hi\\".v1", shape=cylinder, penwidth=3];',
    );
    expect(lines).toContain('  n1 [label="load [x] | y; #1", shape=box, style="rounded"];');
    expect(lines).toContain('  n2 [label="lake.raw.or\\"ders\\\\x", shape=cylinder];');
    expect(lines).toContain("  n1 -> n0;");
    expect(lines).toContain("  n2 -> n1;");
    // Each node line holds exactly one quoted label: escapes balanced, nothing breaks out.
    for (const line of lines.filter((l) => l.includes("[label="))) {
      expect(line).toMatch(/^ {2}n\d+ \[label="(?:[^"\\]|\\.)*"(, [a-z]+=(?:"[^"]*"|[a-z0-9]+))*\];$/);
    }
  });

  it("dashes indirect column edges and labels transformations", () => {
    const lines = renderDot(columnGraph).split("\n");
    expect(lines).toContain('  n2 -> n0 [label="INDIRECT FILTER, all fields", style=dashed];');
    expect(lines).toContain('  n3 -> n0 [label="DIRECT TRANSFORMATION, masked"];');
  });
});

describe("renderTree", () => {
  it("prints the upstream tree from the root", () => {
    expect(renderTree(datasetGraph)).toBe(
      [
        'file:///data/"quoted"/he said "hi".v1',
        "└── [job] load [x] | y; #1",
        '    └── lake.raw.or"ders\\x',
        "",
      ].join("\n"),
    );
  });

  it("shows column transformations, indirect and masked, and the job", () => {
    const text = renderTree(columnGraph);
    expect(text).toContain("├── lake.raw.orders.amount  [DIRECT AGGREGATION] via load [x] | y; #1");
    expect(text).toContain("├── lake.raw.orders.status  [INDIRECT FILTER, all fields] via");
    expect(text).toContain("└── lake.raw.orders.email  [DIRECT TRANSFORMATION, masked] via");
  });

  it("names a node reached again instead of looping", () => {
    const a = { namespace: "n", name: "a" };
    const b = { namespace: "n", name: "b" };
    const j1 = { namespace: "weir", name: "j1" };
    const j2 = { namespace: "weir", name: "j2" };
    const cycle: LineageGraph = {
      root: datasetNodeId(a),
      direction: "impact",
      nodes: [
        datasetNode(a, 0, "a"),
        { id: jobNodeId(j1), kind: "job", ...j1, depth: 1 },
        datasetNode(b, 1, "b"),
        { id: jobNodeId(j2), kind: "job", ...j2, depth: 2 },
      ],
      edges: [
        { from: datasetNodeId(a), to: jobNodeId(j1), kind: "reads" },
        { from: jobNodeId(j1), to: datasetNodeId(b), kind: "writes" },
        { from: datasetNodeId(b), to: jobNodeId(j2), kind: "reads" },
        { from: jobNodeId(j2), to: datasetNodeId(a), kind: "writes" },
      ],
    };
    expect(renderTree(cycle).trimEnd().split("\n")).toEqual([
      "a",
      "└── [job] j1",
      "    └── b",
      "        └── [job] j2",
      "            └── a (see above)",
    ]);
  });

  it("says when nothing is recorded", () => {
    const lonely: LineageGraph = {
      root: datasetNodeId(LAKE),
      direction: "impact",
      nodes: [datasetNode(LAKE, 0, "lake.raw.orders")],
      edges: [],
    };
    expect(renderTree(lonely)).toBe("lake.raw.orders\n(no recorded consumers)\n");
  });
});
