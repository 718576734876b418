import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { htmlText } from "./escape.js";

// Any log value put into the page through htmlText is inert text: no markup, no attribute break-out,
// no invisible or reordering character, whatever code units it holds.

const value = fc
  .array(
    fc.oneof(
      fc.string({ unit: "binary", maxLength: 6 }),
      fc.constantFrom(
        "<script>",
        "</textarea>",
        '"',
        "'",
        "&amp;",
        "&",
        "\u202e",
        "\u200b",
        "\ud800",
        "\u009b",
        "\0",
      ),
    ),
    { maxLength: 10 },
  )
  .map((parts) => parts.join(""));

const ENTITY = /&(amp|lt|gt|quot|#39);/g;
const INVISIBLE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]|\p{Cs}/u;

describe("htmlText on hostile values", () => {
  it("leaves no markup character, bare ampersand or invisible character in the page", () => {
    fc.assert(
      fc.property(value, fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }), (text, max) => {
        const html = htmlText(text, max);
        const withoutEntities = html.replace(ENTITY, "");
        expect([/[<>"'&]/.test(withoutEntities), INVISIBLE.test(html)]).toEqual([false, false]);
      }),
      { seed: 42, numRuns: 2000 },
    );
  });
});
