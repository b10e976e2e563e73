using Meshwork.Diagnostics;

namespace Meshwork.Linting;

/// <summary>What <c>mesh lint</c> found. File paths are relative to <see cref="BaseFolder"/>.</summary>
public sealed record LintReport(string BaseFolder, IReadOnlyList<Diagnostic> Diagnostics)
{
    public int Errors => Diagnostics.Count(d => d.Severity == Severity.Error);

    public int Warnings => Diagnostics.Count(d => d.Severity == Severity.Warning);

    /// <summary>0 when clean (warnings allowed unless <paramref name="strict"/>), 1 when there are findings that fail.</summary>
    public int ExitCode(bool strict) => Errors > 0 || (strict && Warnings > 0) ? 1 : 0;
}
