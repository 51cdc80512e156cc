import { describe, expect, it } from "vitest";
import { ipAddressDetector } from "./ip-address.js";

describe("ipAddressDetector", () => {
  it.each([
    "192.168.1.1",
    "8.8.8.8",
    "255.255.255.255",
    "::1",
    "2001:db8::8a2e:370:7334",
    "::ffff:192.0.2.1",
  ])("matches %s", (value) => {
    expect(ipAddressDetector.matches(value)).toBe(true);
  });

  it.each(["999.1.1.1", "1.2.3", "12:30:00", "2024-01-15", "1.2.3.4.5", "v1.2.3.4", "abc", "a:b"])(
    "does not match %s",
    (value) => {
      expect(ipAddressDetector.matches(value)).toBe(false);
    },
  );

  it("is hinted by ip column names", () => {
    for (const name of ["ip", "ip_address", "client_ip", "ipaddress", "remote_addr", "ipv6"]) {
      expect(ipAddressDetector.nameHints.test(name), name).toBe(true);
    }
    expect(ipAddressDetector.nameHints.test("zip")).toBe(false);
  });
});
