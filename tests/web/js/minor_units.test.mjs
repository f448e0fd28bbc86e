// Prices typed in major units become the API's integer minor units exactly.
import assert from "node:assert/strict";
import { test } from "node:test";

import { fromMinorUnits, toMinorUnits } from "../../../src/livebazaar/web/static/minor_units.js";

test("two-decimal currencies: dots, commas and grouping", () => {
  assert.equal(toMinorUnits("12.50", 2), 1250);
  assert.equal(toMinorUnits("12", 2), 1200);
  assert.equal(toMinorUnits("12.5", 2), 1250);
  assert.equal(toMinorUnits("12,5", 2), 1250);        // a decimal comma (fr, es, …)
  assert.equal(toMinorUnits(" 1 234,50 ", 2), 123450);
  assert.equal(toMinorUnits("1.234,50", 2), 123450);
  assert.equal(toMinorUnits("1,234.50", 2), 123450);
  assert.equal(toMinorUnits("1,234", 2), 123400);     // a lone comma before 3 digits groups
  assert.equal(toMinorUnits(".99", 2), 99);
  assert.equal(toMinorUnits("0.10", 2), 10);
  assert.equal(toMinorUnits("12.500", 2), 1250);      // trailing zeros are no precision
});

test("no float rounding: 0.29 and 1.13 stay exact", () => {
  assert.equal(toMinorUnits("0.29", 2), 29);
  assert.equal(toMinorUnits("1.13", 2), 113);
  assert.equal(toMinorUnits("99999999.99", 2), 9999999999);
});

test("zero- and three-decimal currencies", () => {
  assert.equal(toMinorUnits("1500", 0, "RWF"), 1500);
  assert.equal(toMinorUnits("1,500", 0, "RWF"), 1500);
  assert.throws(() => toMinorUnits("1500.5", 0, "RWF"), /RWF have no decimals/);
  assert.equal(toMinorUnits("1.234", 3, "KWD"), 1234);
  assert.equal(toMinorUnits("1,5", 3, "KWD"), 1500);
  assert.throws(() => toMinorUnits("1.2345", 3, "KWD"), /at most 3 decimals/);
});

test("what is not a price is refused with what to type", () => {
  for (const bad of ["", "  ", "abc", "-5", "1.2.3", "12,5,0", ".", "1e3", "12$"]) {
    assert.throws(() => toMinorUnits(bad, 2, "CNY"), RangeError, bad);
  }
  assert.throws(() => toMinorUnits("12.345", 2, "CNY"), /CNY have at most 2 decimals/);
  assert.throws(() => toMinorUnits("10000000000000.01", 2), /too large/);
  // at most 10^10 minor units a price (kernel/money.py's MAX_PRICE_MINOR)
  assert.throws(() => toMinorUnits("99,999,999,999.00", 2, "CNY"), /at most 100000000.00 CNY/);
  assert.equal(toMinorUnits("100000000", 2, "CNY"), 10_000_000_000);
  assert.throws(() => toMinorUnits("10000000001", 0, "RWF"), /at most 10000000000 RWF/);
  // and above zero, as the server keeps every price (a drop's too)
  for (const zero of ["0", "0.00", "0,0", ".0"]) {
    assert.throws(() => toMinorUnits(zero, 2, "CNY"), /more than zero/, zero);
  }
  assert.throws(() => toMinorUnits("0", 0, "RWF"), /more than zero/);
});

test("minor units back to a field's text", () => {
  assert.equal(fromMinorUnits(1250, 2), "12.50");
  assert.equal(fromMinorUnits(5, 2), "0.05");
  assert.equal(fromMinorUnits(1500, 0), "1500");
  assert.equal(fromMinorUnits(1234, 3), "1.234");
  assert.equal(toMinorUnits(fromMinorUnits(19900, 2), 2), 19900);
});
