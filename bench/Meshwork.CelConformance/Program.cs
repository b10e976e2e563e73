using System.Globalization;
using Meshwork.CelConformance;

// cel-conformance <conformance.json> [--quiet]
// Evaluates every exported conformance test with the CEL package the way Meshwork's CelPolicyEvaluator does
// (one CelEnvironment(null, null), Parse + Compile once, the program invoked over a variables dictionary) and
// prints pass/fail/skipped per suite, then every failure. bench/cel-conformance/run.sh exports the JSON first.
if (args is not ([_] or [_, "--quiet"]) || args[0].StartsWith("--", StringComparison.Ordinal))
{
    Console.Error.WriteLine("usage: cel-conformance <conformance.json> [--quiet]");
    return 2;
}

var path = args[0];
var quiet = args is [_, "--quiet"];
if (!File.Exists(path))
{
    Console.Error.WriteLine($"cel-conformance: {path} does not exist; run bench/cel-conformance/run.sh (or node bench/cel-conformance/export.mjs) first.");
    return 2;
}

var (source, suites, tests) = ConformanceTest.Load(path);
var runner = new Runner();
var results = tests.Select(runner.Run).ToList();

Console.WriteLine($"CEL conformance: {source}, {tests.Count} tests; package Cel {typeof(Cel.CelEnvironment).Assembly.GetName().Version}");
Console.WriteLine();
Console.WriteLine("| Suite | Tests | Run | Passed | Failed | Skipped | Pass rate | Failed: need protobuf messages | Pass rate without those |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
foreach (var group in suites.Select(s => (Suite: s, Results: results.Where(r => r.Test.Suite == s).ToList())).Append((Suite: "all", Results: results)))
{
    var run = group.Results.Count(r => r.Outcome != Outcome.Skipped);
    var passed = group.Results.Count(r => r.Outcome == Outcome.Passed);
    var failed = group.Results.Count(r => r.Outcome == Outcome.Failed);
    var skipped = group.Results.Count(r => r.Outcome == Outcome.Skipped);
    var messages = group.Results.Count(r => r.Outcome == Outcome.Failed && r.Test.NeedsMessages);
    var runPlain = group.Results.Count(r => r.Outcome != Outcome.Skipped && !r.Test.NeedsMessages);
    var passedPlain = group.Results.Count(r => r.Outcome == Outcome.Passed && !r.Test.NeedsMessages);
    var name = group.Suite == "all" ? "**all**" : group.Suite;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {group.Results.Count} | {run} | {passed} | {failed} | {skipped} | {Rate(passed, run)} | {messages} | {Rate(passedPlain, runPlain)} |"));
}

Console.WriteLine();
var escaped = results.Where(r => r.Escapes).ToList();
Console.WriteLine($"Errors thrown as exceptions CelPolicyEvaluator.Evaluate does not catch (not CelException): {escaped.Count}" +
    (escaped.Count == 0 ? "." : ": " + string.Join(", ", escaped.GroupBy(r => r.ErrorType).Select(g => $"{g.Key} ×{g.Count()}"))));
var notes = results.Where(r => r.Note is not null).GroupBy(r => r.Note!).ToList();
Console.WriteLine($"Results accepted in a narrower CLR type: {(notes.Count == 0 ? "none" : string.Join(", ", notes.Select(g => $"{g.Key} ×{g.Count()}")))}.");
var parsePasses = results.Where(r => r.Outcome == Outcome.Passed && r.ErrorType == "CelExpressionParserException").ToList();
Console.WriteLine($"Expected errors met by a parse/compile error rather than an evaluation error: {parsePasses.Count}" +
    (parsePasses.Count == 0 ? "." : ": " + string.Join(", ", parsePasses.Select(r => r.Test.Id))));
var lenient = results.Where(r => r.Note is not null).Select(r => r.Test.Id).ToList();
if (!quiet && lenient.Count > 0)
{
    Console.WriteLine($"Accepted leniently: {string.Join(", ", lenient)}");
}

var nulls = results.Where(r => r.Outcome == Outcome.Failed && r.Detail is { } d && d.StartsWith("expected an error", StringComparison.Ordinal) && d.EndsWith(", got null", StringComparison.Ordinal)).ToList();
Console.WriteLine($"Failures where an error was expected and the package returned null (Meshwork's Evaluate: no decision, which fails closed as an error does): {nulls.Count}.");

foreach (var reason in results.Where(r => r.Outcome == Outcome.Skipped).GroupBy(r => r.Detail))
{
    Console.WriteLine($"Skipped ({reason.Key}): {reason.Count()}");
}

if (!quiet)
{
    foreach (var group in results.Where(r => r.Outcome == Outcome.Failed).GroupBy(r => r.Test.Suite))
    {
        Console.WriteLine();
        Console.WriteLine($"## Failures: {group.Key} ({group.Count()})");
        foreach (var r in group)
        {
            Console.WriteLine($"- {r.Test.Section}/{r.Test.Name}{(r.Test.NeedsMessages ? " [protobuf]" : string.Empty)}: {r.Test.Expr}");
            Console.WriteLine($"    {r.Detail}");
        }
    }

    foreach (var r in escaped)
    {
        Console.WriteLine($"- escapes Evaluate: {r.Test.Id}: {r.Test.Expr} → {r.ErrorType}");
    }
}

return 0;

static string Rate(int passed, int run) => run == 0 ? "–" : string.Create(CultureInfo.InvariantCulture, $"{100.0 * passed / run:0.0}%");
