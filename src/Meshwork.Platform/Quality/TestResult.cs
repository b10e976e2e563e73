using Meshwork.Linting;

namespace Meshwork.Platform.Quality;

/// <summary>One check or SLO verdict of <c>mesh test</c>: status passed, failed, warned or error.</summary>
public sealed record TestOutcome(string Address, string Name, string Status, string Severity, string Message);

/// <summary>What <c>mesh test</c> found. <see cref="Failed"/>: an error-severity check or SLO failed.</summary>
public sealed record TestResult(LintReport Lint, IReadOnlyList<TestOutcome> Outcomes, IReadOnlyList<string> Errors)
{
    public bool Failed => Outcomes.Any(o => o.Status is "failed" or "error");
}
