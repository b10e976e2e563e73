using System.Text.Json;
using Cel;

namespace Meshwork.CelConformance;

public enum Outcome
{
    Passed,
    Failed,
    Skipped,
}

/// <summary>A test's outcome; <see cref="Detail"/> says why it failed (expected vs got) or was skipped.</summary>
/// <param name="Test">The test.</param>
/// <param name="Outcome">Passed, failed or skipped.</param>
/// <param name="Detail">Expected and actual for a failure, the reason for a skip.</param>
/// <param name="ErrorType">The exception the package threw, if any.</param>
/// <param name="Escapes">Whether that exception is not a <see cref="CelException"/>, so Meshwork's evaluator would not turn it into "no decision".</param>
/// <param name="Note">A representation accepted leniently (e.g. an int returned as Int32).</param>
public sealed record TestResult(ConformanceTest Test, Outcome Outcome, string? Detail, string? ErrorType = null, bool Escapes = false, string? Note = null);

/// <summary>Runs tests the way <c>Meshwork.Governance.Cel.CelPolicyEvaluator</c> uses the package.</summary>
public sealed class Runner
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    // One environment for every expression, as the evaluator has (no protobuf descriptors, no namespace).
    private readonly CelEnvironment _environment = new(null, null);

    public TestResult Run(ConformanceTest test)
    {
        ArgumentNullException.ThrowIfNull(test);
        if (test.SkipReason() is { } reason)
        {
            return new TestResult(test, Outcome.Skipped, reason);
        }

        var expectsError = test.Expected.GetProperty("kind").GetString() == "error";
        var expected = expectsError ? "an error" : TaggedValues.Describe(test.Expected.GetProperty("value"));

        object? actual;
        try
        {
            var variables = test.Bindings.ToDictionary(b => b.Key, b => TaggedValues.ToClr(b.Value), StringComparer.Ordinal);
            var evaluation = Task.Run(() =>
            {
                // As CelPolicyEvaluator.Compile: Parse, then Compile the tree; then invoke over the variables.
                var program = _environment.Compile(_environment.Parse(test.Expr));
                return program(variables);
            });
            if (!evaluation.Wait(Timeout))
            {
                return new TestResult(test, Outcome.Failed, $"expected {expected}, got no result within {Timeout.TotalSeconds:0} s");
            }

            actual = evaluation.Result;
        }
        catch (AggregateException e) when (e.InnerException is { } inner)
        {
            var escapes = inner is not CelException;
            var got = $"{inner.GetType().Name}: {FirstLine(inner.Message)}";
            return new TestResult(test, expectsError ? Outcome.Passed : Outcome.Failed, $"expected {expected}, got {got}", inner.GetType().Name, escapes);
        }

        // The package returns, rather than throws, a missing field when a program is compiled (CelEnvironment.Compile).
        if (actual is not null && actual.GetType().Name == "CelNoSuchField")
        {
            return new TestResult(test, expectsError ? Outcome.Passed : Outcome.Failed, $"expected {expected}, got a CelNoSuchField value (no such field)", "CelNoSuchField (returned)");
        }

        if (expectsError)
        {
            return new TestResult(test, Outcome.Failed, $"expected an error ({Messages(test.Expected)}), got {TaggedValues.Describe(actual)}");
        }

        return TaggedValues.Match(test.Expected.GetProperty("value"), actual, out var note)
            ? new TestResult(test, Outcome.Passed, null, Note: note)
            : new TestResult(test, Outcome.Failed, $"expected {expected}, got {TaggedValues.Describe(actual)}");
    }

    private static string Messages(JsonElement expected) => expected.TryGetProperty("messages", out var messages)
        ? string.Join("; ", messages.EnumerateArray().Select(m => m.GetString()))
        : "any";

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
