using Meshwork.Linting;
using Meshwork.Platform.Planning;

namespace Meshwork.Platform.Pipelines;

/// <summary>What a run did to one dataset. <see cref="Unchanged"/>: its inputs had not changed, so nothing ran.</summary>
public sealed record DatasetRun(string Address, long Published, long Quarantined, int Passed, int Failed, int Warned, bool Unchanged);

/// <summary>What <c>mesh apply</c> did: the plan, each dataset's run, and every error (a failed product does not stop the others).</summary>
public sealed record ApplyResult(LintReport Lint, Plan? Plan, IReadOnlyList<DatasetRun> Datasets, IReadOnlyList<string> Errors, string DataFolder)
{
    public bool Refused => Plan?.HasRefusals ?? false;
}
