// route-guard: a third-party oddity detector in one plain ES module.
//
// It flags two things an access log shows and single-field rarity misses:
//   - path traversal: `../` in any spelling (`%2e%2e/`, `..%2f`, `..\`, double encoding);
//   - a method a path never receives in the baseline: POST to a path that only ever saw GET.
// Both come with the baseline numbers behind them, like every oddity finding.

import {
  API_VERSION,
  defineDetector,
  formatCount,
  formatProbability,
  quoteValue,
  surprisal,
  z,
} from "@oddity/core";

// `..` between separators, decoded once and twice: %2e = ".", %2f = "/", %5c = "\".
const TRAVERSAL = /(^|[\\/])(\.|%2e|%252e){2}([\\/]|%2f|%5c|%252f|%255c|$)/i;

const optionsSchema = z.strictObject({
  minSupport: z
    .number()
    .int()
    .min(1)
    .default(20)
    .describe("requests a path template needs in the baseline before an unseen method on it is flagged"),
  smoothing: z
    .number()
    .positive()
    .default(1)
    .describe("additive smoothing (alpha) for probabilities of things the baseline never saw"),
  maxTemplates: z
    .number()
    .int()
    .min(1)
    .default(10000)
    .describe("path templates remembered; later newcomers are not tracked (bounded memory)"),
});

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const stateSchema = z.strictObject({
  version: z.literal(1),
  total: count,
  traversal: count,
  templates: z.array(z.tuple([z.string(), z.array(z.tuple([z.string(), count]))])),
});

/** Exported so tests (and `oddity detectors`) can see the defaults. */
export { optionsSchema };

export const routeGuard = defineDetector({
  meta: {
    name: "route-guard",
    description: "Flags path traversal and methods a path template never receives in the baseline",
    apiVersion: API_VERSION,
    options: optionsSchema,
  },
  create(options, context) {
    function templateOf(record) {
      if (record.path === null) return null;
      const q = record.path.indexOf("?");
      const endpoint = q === -1 ? record.path : record.path.slice(0, q);
      // Numbers and ids vary per request; the route is what receives a method.
      return endpoint.replace(/\/\d+(?=\/|$)/g, "/:n");
    }

    return {
      init: () => ({ total: 0, traversal: 0, templates: new Map() }),

      observe(state, record) {
        state.total++;
        if (record.path !== null && TRAVERSAL.test(record.path)) state.traversal++;
        const template = templateOf(record);
        if (template === null || record.method === null) return;
        let methods = state.templates.get(template);
        if (methods === undefined) {
          if (state.templates.size >= options.maxTemplates) return;
          methods = new Map();
          state.templates.set(template, methods);
        }
        methods.set(record.method, (methods.get(record.method) ?? 0) + 1);
      },

      merge(a, b) {
        const merged = {
          total: a.total + b.total,
          traversal: a.traversal + b.traversal,
          templates: new Map(),
        };
        // Sorted, so the kept templates (and the model bytes) do not depend on the merge order.
        const names = [...new Set([...a.templates.keys(), ...b.templates.keys()])].sort();
        for (const name of names.slice(0, options.maxTemplates)) {
          const methods = new Map(a.templates.get(name));
          for (const [method, n] of b.templates.get(name) ?? [])
            methods.set(method, (methods.get(method) ?? 0) + n);
          merged.templates.set(name, methods);
        }
        return merged;
      },

      score(state, record) {
        const findings = [];
        const alpha = options.smoothing;
        if (record.path !== null && TRAVERSAL.test(record.path)) {
          const p = (state.traversal + alpha) / (state.total + 2 * alpha);
          findings.push({
            detector: context.id,
            kind: "traversal",
            fields: ["path"],
            values: [record.path],
            probability: p,
            surprisal: surprisal(p),
            threshold: { name: "pattern", direction: "above", value: 0 },
            counts: { traversal: state.traversal, total: state.total },
            message: `path ${quoteValue(record.path)} climbs out of its folder (..); ${formatCount(state.traversal)} of ${formatCount(state.total)} baseline requests did (p=${formatProbability(p)})`,
          });
        }
        const template = templateOf(record);
        const methods = template === null ? undefined : state.templates.get(template);
        if (methods !== undefined && record.method !== null && !methods.has(record.method)) {
          let support = 0;
          for (const n of methods.values()) support += n;
          if (support >= options.minSupport) {
            // One more category than seen, so the unseen method gets a share of the smoothing mass.
            const p = alpha / (support + alpha * (methods.size + 1));
            const seen = [...methods.keys()].sort().join(", ");
            findings.push({
              detector: context.id,
              kind: "method",
              fields: ["path_template", "method"],
              values: [template, record.method],
              probability: p,
              surprisal: surprisal(p),
              threshold: { name: "count", direction: "below", value: 1 },
              counts: { count: 0, given_count: support, methods: methods.size },
              message: `${record.method} ${quoteValue(template)}: this path received only ${seen} in ${formatCount(support)} baseline requests (p=${formatProbability(p)})`,
            });
          }
        }
        return findings;
      },

      toJSON(state) {
        return {
          version: 1,
          total: state.total,
          traversal: state.traversal,
          templates: [...state.templates]
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([name, methods]) => [name, [...methods].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]),
        };
      },

      fromJSON(json) {
        const parsed = stateSchema.safeParse(json);
        if (!parsed.success)
          throw new Error(`route-guard state: ${parsed.error.issues[0]?.message ?? "invalid"}`);
        const { total, traversal, templates } = parsed.data;
        // Maps, not objects: template names come from the log and may be "__proto__".
        return {
          total,
          traversal,
          templates: new Map(templates.map(([name, methods]) => [name, new Map(methods)])),
        };
      },
    };
  },
});

export default routeGuard;
