using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Meshwork.Loading;
using Meshwork.Model;
using Meshwork.Platform.Privacy;
using Meshwork.Platform.Serving;
using Meshwork.Platform.Store;

namespace Meshwork.Cli.Commands;

/// <summary>
/// <c>mesh erase</c> and <c>mesh retention</c>: privacy enforced on a data folder's published data (docs/privacy.md).
/// The CLI acts as the principal given with <c>--as</c> (admin or privacy role), else as the operator who runs it:
/// whoever can run it on the data folder is trusted as much as its files are.
/// </summary>
internal static class PrivacyCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command CreateErase(PlatformSource platforms)
    {
        var subject = new Argument<string>("VALUE") { Description = "The data subject's value in the columns tagged subject-key (e.g. a customer id)." };
        var reason = new Option<string>("--reason") { Description = "Why (e.g. 'GDPR Art. 17 request #123'); kept with the request and in the audit log.", Required = true };
        var format = CommonOptions.Format("text", "json");
        var command = new Command("erase",
            "Erase a data subject from every product along lineage: current and earlier versions and quarantine; exit 1 unless every product is done (run it again to resume).")
        {
            subject, reason, CommonOptions.AppliedData(), As(), format,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await using var served = await platforms.ServeAsync(parseResult, cancellationToken);
            var principal = await ActingAsync(served, parseResult, cancellationToken);
            var output = parseResult.InvocationConfiguration.Output;
            var json = parseResult.GetRequiredValue(format) == "json";
            ErasureRecord erasure;
            try
            {
                erasure = json
                    ? await served.EraseAsync(principal, parseResult.GetRequiredValue(subject), parseResult.GetRequiredValue(reason), null, cancellationToken)
                    : await TerminalProgress.RunAsync(output, "Erasing", progress =>
                        served.EraseAsync(principal, parseResult.GetRequiredValue(subject), parseResult.GetRequiredValue(reason), progress, cancellationToken));
            }
            catch (ServingException e)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"mesh: {e.Message}");
                return e.Error == ServingError.Forbidden ? MeshCli.ExitCodes.Findings : MeshCli.ExitCodes.Usage;
            }

            var report = PrivacyJobs.ReportOf(erasure);
            if (json)
            {
                output.WriteLine(JsonSerializer.Serialize(new { erasure.Id, erasure.Status, erasure.RequestedAt, erasure.CompletedAt, report.Products }, Json));
            }
            else
            {
                WriteReport(output, erasure, report);
            }

            return erasure.Status == ErasureStatus.Completed ? MeshCli.ExitCodes.Ok : MeshCli.ExitCodes.Findings;
        });
        return command;
    }

    public static Command CreateRetention(PlatformSource platforms)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Show what would be removed; change nothing." };
        var format = CommonOptions.Format("text", "json");
        var command = new Command("retention", "Apply every output contract's retention now: remove rows older than it from current and earlier versions; exit 1 when a product failed.")
        {
            dryRun, CommonOptions.AppliedData(), format,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await using var served = await platforms.ServeAsync(parseResult, cancellationToken);
            var output = parseResult.InvocationConfiguration.Output;
            var dry = parseResult.GetValue(dryRun);
            var json = parseResult.GetRequiredValue(format) == "json";
            var results = json
                ? await served.ApplyRetentionAsync(dry, null, null, cancellationToken)
                : await TerminalProgress.RunAsync(output, dry ? "Measuring retention" : "Applying retention", progress => served.ApplyRetentionAsync(dry, progress, null, cancellationToken));
            if (json)
            {
                output.WriteLine(JsonSerializer.Serialize(new { dryRun = dry, products = results }, Json));
            }
            else
            {
                foreach (var dataset in results.SelectMany(r => r.Datasets))
                {
                    var removed = dataset.Removed is { } r ? r.Current + r.Earlier : 0;
                    var versions = dataset.Removed is { Versions: > 0 } v ? string.Create(CultureInfo.InvariantCulture, $" from {v.Versions} version(s)") : string.Empty;
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{dataset.Address}: retention {dataset.Retention}: {removed} row(s) past it{(dry ? " would be removed" : " removed")}{versions}"));
                }

                foreach (var failed in results.Where(r => r.Error is not null))
                {
                    output.WriteLine($"{failed.Product}: failed: {failed.Error}");
                }

                output.WriteLine(results.Count == 0 ? "No output contract declares a retention." : dry ? "Dry run: nothing was changed." : "Retention applied.");
            }

            return results.Any(r => r.Error is not null) ? MeshCli.ExitCodes.Findings : MeshCli.ExitCodes.Ok;
        });
        return command;
    }

    private static void WriteReport(TextWriter output, ErasureRecord erasure, ErasureReport report)
    {
        output.WriteLine($"Erasure {erasure.Id}: {erasure.Status}" + (erasure.CompletedAt is { } at ? string.Create(CultureInfo.InvariantCulture, $" at {at:O}") : string.Empty));
        foreach (var product in report.Products)
        {
            output.WriteLine($"  {product.Product}: {product.Status}" + (product.Error is { } error ? $" ({error})" : string.Empty));
            foreach (var dataset in product.Datasets.Where(d => d.Total > 0))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"    {dataset.Address}: {dataset.Current} current, {dataset.Earlier} earlier, {dataset.Quarantined} quarantined row(s) removed from {dataset.Versions} version(s)"));
            }

            foreach (var source in product.Sources)
            {
                output.WriteLine(source.Rows is { } rows
                    ? string.Create(CultureInfo.InvariantCulture, $"    source {source.Location} (input port {source.InputPort}) still holds {rows} row(s): erase them there; pipelines leave them out meanwhile")
                    : $"    source {source.Location} (input port {source.InputPort}) {source.Error}");
            }
        }

        if (erasure.Status != ErasureStatus.Completed)
        {
            output.WriteLine("Not every product is done: run the same command again to resume.");
        }
    }

    /// <summary>The principal of <c>--as</c>, else the operator running the CLI (as an admin: the data folder's files are theirs).</summary>
    private static async Task<Principal> ActingAsync(ServedMesh served, ParseResult parseResult, CancellationToken cancellationToken)
    {
        if (parseResult.GetValue<string?>("--as") is { } id)
        {
            return await served.FindPrincipalAsync(id, cancellationToken) ?? throw new MeshworkException($"No principal '{id}' in people.yaml.");
        }

        return new Principal("cli:" + Environment.UserName, PrincipalKind.Service, null, null, null, ["admin"], ImmutableDictionary<string, object>.Empty,
            new Diagnostics.SourceLocation("cli", 0, 0));
    }

    private static Option<string?> As() => new("--as") { Description = "The principal of people.yaml acting (admin or privacy role); default: the operator running the CLI." };
}
