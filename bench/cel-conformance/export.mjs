// Writes the CEL conformance tests Meshwork checks its CEL package against (bench/Meshwork.CelConformance) as
// plain JSON: one entry per test with its expression, bindings and expected outcome, values tagged with their
// CEL type. Values JSON cannot carry are marked "unsupported" (with a reason), never dropped.
//
//   node export.mjs [OUT]        default OUT: out/conformance.json
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { toJson } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { DeclSchema } from "@bufbuild/cel-spec/cel/expr/checked_pb.js";
import { getTestRegistry } from "@bufbuild/cel-spec/testdata/registry.js";
import { getConformanceSuite } from "@bufbuild/cel-spec/testdata/tests.js";

const Suites = ["basic", "comparisons", "logic", "macros", "lists", "fields", "string", "timestamps", "conversions"];

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? `${here}/out/conformance.json`);
const registry = getTestRegistry();

/** A double as JSON: a number, or "NaN", "Infinity", "-Infinity", "-0" (JSON has no such numbers). */
function double(n) {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "Infinity";
  if (n === -Infinity) return "-Infinity";
  if (Object.is(n, -0)) return "-0";
  return n;
}

/** Seconds and nanoseconds of a google.protobuf.Timestamp as RFC 3339 (UTC), for reading; the runner uses the numbers. */
function rfc3339(seconds, nanos) {
  const millis = Number(seconds) * 1000;
  if (!Number.isFinite(millis) || Math.abs(millis) > 8.64e15) return null;
  const text = new Date(millis).toISOString().replace(/\.\d{3}Z$/, "");
  return nanos ? `${text}.${String(nanos).padStart(9, "0")}Z` : `${text}Z`;
}

/** A google.protobuf.Value (JSON) as the CEL value it converts to. */
function fromJsonValue(json) {
  if (json === null) return { type: "null" };
  if (typeof json === "boolean") return { type: "bool", value: json };
  if (typeof json === "number") return { type: "double", value: double(json) };
  if (typeof json === "string") return { type: "string", value: json };
  if (Array.isArray(json)) return { type: "list", elements: json.map(fromJsonValue) };
  return {
    type: "map",
    entries: Object.entries(json).map(([key, value]) => ({ key: { type: "string", value: key }, value: fromJsonValue(value) })),
  };
}

/** A protobuf message packed in an Any (cel.expr.Value's objectValue). */
function object(any) {
  const typeName = any.typeUrl.replace(/^.*\//, "");
  const message = anyUnpack(any, registry);
  if (message === undefined) {
    return { type: "object", typeName, unsupported: "message type not in the test registry" };
  }

  switch (typeName) {
    case "google.protobuf.Timestamp":
      return { type: "timestamp", seconds: String(message.seconds), nanos: message.nanos, text: rfc3339(message.seconds, message.nanos) };
    case "google.protobuf.Duration":
      return { type: "duration", seconds: String(message.seconds), nanos: message.nanos };
    case "google.protobuf.Value":
    case "google.protobuf.Struct":
    case "google.protobuf.ListValue":
      // CEL converts the JSON types to its own: null, bool, double, string, list, map(string, dyn).
      return fromJsonValue(toJson(registry.getMessage(typeName), message, { registry }));
    default: {
      let json = null;
      try {
        json = toJson(registry.getMessage(typeName), message, { registry });
      } catch {
        // kept as unsupported without its JSON
      }
      return { type: "object", typeName, json, unsupported: "protobuf message" };
    }
  }
}

/** A cel.expr.Value as a tagged JSON value. */
function value(v) {
  const { case: kind, value: x } = v?.kind ?? {};
  switch (kind) {
    case "nullValue":
      return { type: "null" };
    case "boolValue":
      return { type: "bool", value: x };
    case "int64Value":
      return { type: "int", value: x.toString() };
    case "uint64Value":
      return { type: "uint", value: x.toString() };
    case "doubleValue":
      return { type: "double", value: double(x) };
    case "stringValue":
      return { type: "string", value: x };
    case "bytesValue":
      return { type: "bytes", base64: Buffer.from(x).toString("base64") };
    case "enumValue":
      return { type: "enum", enumType: x.type, value: x.value };
    case "objectValue":
      return object(x);
    case "mapValue":
      return { type: "map", entries: x.entries.map((e) => ({ key: value(e.key), value: value(e.value) })) };
    case "listValue":
      return { type: "list", elements: x.values.map(value) };
    case "typeValue":
      return { type: "type", value: x };
    default:
      return { type: "unset", unsupported: "cel.expr.Value without a kind" };
  }
}

/** A binding (cel.expr.ExprValue): a value, or an error or unknown set, which a plain variable cannot be. */
function binding(b) {
  switch (b.kind.case) {
    case "value":
      return value(b.kind.value);
    case "error":
      return { type: "error", messages: b.kind.value.errors.map((e) => e.message), unsupported: "error binding" };
    case "unknown":
      return { type: "unknown", unsupported: "unknown binding" };
    default:
      return { type: "unset", unsupported: "cel.expr.ExprValue without a kind" };
  }
}

/** The expected outcome; an unset matcher means the boolean true (cel.expr.conformance.test.SimpleTest). */
function expected(matcher) {
  switch (matcher.case) {
    case undefined:
      return { kind: "value", value: { type: "bool", value: true } };
    case "value":
      return { kind: "value", value: value(matcher.value) };
    case "typedResult":
      return matcher.value.result === undefined
        ? { kind: "type", deducedType: toJson(registry.getMessage("cel.expr.Type"), matcher.value.deducedType ?? {}) }
        : { kind: "value", value: value(matcher.value.result) };
    case "evalError":
      return { kind: "error", messages: matcher.value.errors.map((e) => e.message) };
    case "anyEvalErrors":
      return { kind: "error", messages: matcher.value.errors.flatMap((set) => set.errors.map((e) => e.message)) };
    case "unknown":
    case "anyUnknowns":
      return { kind: "unknown", unsupported: "unknown sets (partial evaluation)" };
    default:
      return { kind: "unset", unsupported: `result matcher ${matcher.case}` };
  }
}

const tests = [];
const suite = getConformanceSuite();
for (const name of Suites) {
  const file = suite.suites.find((s) => s.name === name);
  if (file === undefined) {
    throw new Error(`The conformance data has no suite '${name}'.`);
  }

  for (const section of file.suites) {
    for (const test of section.tests) {
      const t = test.original;
      tests.push({
        suite: name,
        section: section.name,
        name: test.name,
        description: t.description || undefined,
        expr: t.expr,
        disableCheck: t.disableCheck,
        disableMacros: t.disableMacros,
        checkOnly: t.checkOnly,
        container: t.container || undefined,
        typeEnv: t.typeEnv.map((d) => toJson(DeclSchema, d)),
        bindings: Object.fromEntries(Object.entries(t.bindings).map(([k, b]) => [k, binding(b)])),
        expected: expected(t.resultMatcher),
      });
    }
  }
}

mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ source: "@bufbuild/cel-spec 0.6.1 (cel-spec v0.25.1)", suites: Suites, tests }, null, 1)}\n`);
const counts = Suites.map((s) => `${s} ${tests.filter((t) => t.suite === s).length}`).join(", ");
console.log(`Wrote ${tests.length} tests to ${out} (${counts}).`);
