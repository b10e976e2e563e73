using Meshwork.Linting;

namespace Meshwork.Benchmarks;

/// <summary>A benchmark over a mesh with findings would measure the wrong thing: refuse to run it.</summary>
public static class MeshAssert
{
    public static LintReport LintsClean(string root)
    {
        var report = MeshLinter.Lint(root);
        if (report.Diagnostics.Count > 0)
        {
            var first = string.Join(Environment.NewLine, report.Diagnostics.Take(5).Select(d => $"{d.File}:{d.Line}:{d.Column}: {d.Rule}: {d.Message}"));
            throw new InvalidOperationException(
                $"The generated mesh in {root} has {report.Errors} errors and {report.Warnings} warnings; first:{Environment.NewLine}{first}");
        }

        return report;
    }
}
