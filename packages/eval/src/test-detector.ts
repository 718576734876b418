import {
  createPipeline,
  defineDetector,
  NO_FINDINGS,
  z,
  type DetectorHooks,
  type Pipeline,
} from "@oddity/core";

/**
 * For tests: a pipeline whose one detector flags exactly the paths of `surprisals`, each with the given
 * surprisal (bits), and nothing else; so flagged sets and rankings can be worked out by hand.
 */
export function pathPipeline(surprisals: Readonly<Record<string, number>>): Pipeline {
  const table = new Map(Object.entries(surprisals));
  const detector = defineDetector({
    meta: { name: "path-table", description: "test", apiVersion: 1, options: z.object({}) },
    create(_options, context): DetectorHooks<null> {
      return {
        init: () => null,
        observe: () => undefined,
        merge: () => null,
        score(_state, record) {
          const bits = record.path === null ? undefined : table.get(record.path);
          if (bits === undefined) return NO_FINDINGS;
          return [
            {
              detector: context.id,
              kind: "rare",
              fields: ["path"],
              values: [record.path!],
              probability: 2 ** -bits,
              surprisal: bits,
              threshold: { name: "probability", direction: "below", value: 0.5 },
              counts: {},
              message: `path ${record.path!}`,
            },
          ];
        },
        toJSON: () => null,
        fromJSON: () => null,
      };
    },
  });
  return createPipeline({ detectors: [{ use: "path-table", definition: detector }] });
}
