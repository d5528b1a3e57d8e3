import { describe, expect, it } from "vitest";

import { marketTimeAt } from "./status";

describe("marketTimeAt", () => {
  const status = { now: "2026-12-04T10:00:00+09:00", speed: 1 };
  const fetchedAt = Date.parse("2026-12-03T21:30:00+09:00"); // a practice clock half a day ahead

  it("is the status's time when it was fetched", () => {
    expect(marketTimeAt(status, fetchedAt, fetchedAt)).toBe(Date.parse("2026-12-04T10:00:00+09:00"));
  });

  it("runs on at the wall clock's pace at speed 1", () => {
    expect(marketTimeAt(status, fetchedAt, fetchedAt + 90_000)).toBe(Date.parse("2026-12-04T10:01:30+09:00"));
  });

  it("runs on 60 times faster at speed 60", () => {
    expect(marketTimeAt({ ...status, speed: 60 }, fetchedAt, fetchedAt + 2_000)).toBe(
      Date.parse("2026-12-04T10:02:00+09:00"),
    );
  });
});
