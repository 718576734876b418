import { API_VERSION, NO_FINDINGS, defineDetector, formatCount, type Finding } from "@oddity/core";
import { parseQuery } from "./decode.js";
import { countSpecs, foldCounts } from "./counts.js";
import { judgeMissing, judgeUnseenName, judgeValue, type JudgeContext, type Verdict } from "./judge.js";
import { learnQuery } from "./learn.js";
import { paramsOptionsSchema, type ParamsOptions } from "./options.js";
import { CLEAN_MEMORY, CLEAN_TARGET_LENGTH, prepareState, type PreparedState } from "./prepared.js";
import { stateFromJSON, stateToJSON } from "./serialize.js";
import { emptyState, mergeStates, type ParamsState } from "./state.js";
import { parameterSummaries } from "./summary.js";

/** Templates whose `path_template` → part-before-`?` mapping is remembered; past it the memory restarts. */
const TEMPLATE_MEMORY = 10_000;

/**
 * Query-string parameters per path template, after Kruegel & Vigna (CCS 2003): which names occur, how
 * long values are, which character classes they use and, for enumerations, which values they take.
 */
export const params = defineDetector<ParamsOptions, ParamsState>({
  meta: {
    name: "params",
    description:
      "Flags query-string parameters that are new or missing for their path, or whose value is unusually long, uses unusual characters or leaves a fixed set of values",
    apiVersion: API_VERSION,
    options: paramsOptionsSchema,
  },
  create(options, context) {
    const caps = {
      maxTemplates: options.maxTemplates,
      maxParameters: options.maxParameters,
      maxTokens: options.maxTokens,
    };
    const judge: JudgeContext = {
      detector: context.id,
      threshold: options.threshold,
      minSupport: options.minSupport,
    };
    const readTemplate = context.fieldReader("path_template");
    const readClient = context.fieldReader(options.client);
    const endpoints = new Map<string, string>();
    const prepared = new WeakMap<ParamsState, { requests: number; model: PreparedState }>();

    // The template of the path before `?`: `/api/v1/sales?page=:n` and `/api/v1/sales?page=:v` are one
    // template here, or a payload in `page` would move the request to a template with no baseline.
    function endpointOf(template: string): string {
      let endpoint = endpoints.get(template);
      if (endpoint === undefined) {
        const q = template.indexOf("?");
        endpoint = q === -1 ? template : template.slice(0, q);
        if (endpoints.size >= TEMPLATE_MEMORY) endpoints.clear();
        endpoints.set(template, endpoint);
      }
      return endpoint;
    }

    function prepare(state: ParamsState): PreparedState {
      const model = prepareState(state, options.threshold);
      prepared.set(state, { requests: state.requests, model });
      let kept = 0;
      for (const { model: t } of state.templates.entries.values()) kept += t.requests;
      if (state.templates.ceiling < 2 ** 32) {
        context.warn(
          `more than ${formatCount(options.maxTemplates)} path templates carry a query string, so a hash-chosen sample of ${formatCount(state.templates.entries.size)} is modelled and the ${formatCount(state.requests - kept)} requests of the others are not judged (maxTemplates)`,
        );
      }
      let cappedTemplates = 0;
      for (const { model: t } of state.templates.entries.values())
        if (t.params.ceiling < 2 ** 32) cappedTemplates++;
      if (cappedTemplates > 0) {
        context.warn(
          `${formatCount(cappedTemplates)} path template${cappedTemplates === 1 ? "" : "s"} carry more than ${formatCount(options.maxParameters)} parameter names, so a hash-chosen sample of names is modelled there and the others are not judged (maxParameters)`,
        );
      }
      return model;
    }

    function preparedFor(state: ParamsState): PreparedState {
      const cached = prepared.get(state);
      return cached !== undefined && cached.requests === state.requests ? cached.model : prepare(state);
    }

    return {
      init: emptyState,
      observe(state, record) {
        const path = record.path;
        if (path === null) return;
        const q = path.indexOf("?");
        if (q === -1) return;
        learnQuery(state, caps, {
          query: path.slice(q + 1),
          endpoint: endpointOf(readTemplate(record)!),
          client: readClient(record),
          times: 1,
        });
      },
      counts: countSpecs(options.client),
      // A request's query string is judged against its template's model: both read from the path.
      footprints: [["path"]],
      foldCounts: (state, tables) => foldCounts(state, tables, { caps, endpointOf }),
      merge: (a, b) => mergeStates(a, b, caps),
      prepare(state) {
        prepare(state);
      },
      score(state, record) {
        const path = record.path;
        if (path === null) return NO_FINDINGS;
        const q = path.indexOf("?");
        if (q === -1) return NO_FINDINGS;
        const model = preparedFor(state);
        if (model.clean.has(path)) return NO_FINDINGS;
        const template = model.templates.get(endpointOf(readTemplate(record)!));
        if (template === undefined || template.requests < options.minSupport) return NO_FINDINGS;
        const pairs = parseQuery(path.slice(q + 1));
        // The strongest verdict per parameter name, then the strongest names.
        let verdicts: Map<string, Verdict> | null = null;
        const keep = (name: string, verdict: Verdict | null) => {
          if (verdict === null) return;
          verdicts ??= new Map();
          const held = verdicts.get(name);
          if (held === undefined || verdict.probability < held.probability) verdicts.set(name, verdict);
        };
        for (const { name, value } of pairs) {
          const param = template.params.get(name);
          if (param === undefined) {
            keep(name, judgeUnseenName(judge, { template, name, path }));
          } else {
            keep(name, judgeValue(judge, { template, param, value, path }));
            if (param.topNameClient !== null)
              keep(name, judgeUnseenName(judge, { template, name, path, known: param }));
          }
        }
        for (const param of template.expected) {
          if (!pairs.some((pair) => pair.name === param.name))
            keep(param.name, judgeMissing(judge, { template, param, path }));
        }
        if (verdicts === null) {
          if (path.length <= CLEAN_TARGET_LENGTH) {
            if (model.clean.size >= CLEAN_MEMORY) model.clean.clear();
            model.clean.add(path);
          }
          return NO_FINDINGS;
        }
        const strongest = [...(verdicts as Map<string, Verdict>).values()].sort(
          (a, b) => a.probability - b.probability,
        );
        const findings: Finding[] = strongest.slice(0, options.maxFindings).map((v) => v.build());
        return findings;
      },
      toJSON: stateToJSON,
      fromJSON: (json) => stateFromJSON(json, caps),
      summarize: (state) => parameterSummaries(context.id, state, preparedFor(state)),
    };
  },
});
