using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Meshwork.Loading;
using Meshwork.Platform.Serving;
using Meshwork.Platform.Store;

namespace Meshwork.Cli.Commands;

/// <summary>
/// <c>mesh access request|approve|reject|revoke|list</c> and <c>mesh audit verify|head</c>: agreements and the audit
/// log on a data folder. The CLI acts as the principal given with <c>--as</c> (whoever can run it on the data
/// folder is trusted as much as its files are).
/// </summary>
internal static class AccessCommand
{
    public static Command Create(PlatformSource platforms)
    {
        var command = new Command("access", "Access agreements: request a dataset with a purpose; the owning team approves or rejects; revoke; list.");

        var dataset = new Argument<string>("DATASET") { Description = "The dataset address (domain.product.object_vN)." };
        var purpose = new Option<string>("--purpose") { Description = "What the data will be used for.", Required = true };
        var columns = new Option<string?>("--columns") { Description = "Only these columns (comma separated); default all." };
        var until = new Option<string?>("--until") { Description = "Last day of the agreement (yyyy-MM-dd); default until revoked." };
        var forProduct = new Option<string?>("--for") { Description = "Request for a product of your team (domain.product): its pipeline reads the dataset under the agreement." };
        var request = new Command("request", "Request access to a dataset.") { dataset, purpose, columns, until, forProduct, CommonOptions.AppliedData(), As() };
        request.SetAction((parseResult, cancellationToken) => WithServedAsync(platforms, parseResult, async (served, principal, output) =>
        {
            DateOnly? endsOn = parseResult.GetValue(until) is { } text
                ? DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date
                    : throw new MeshworkException($"--until '{text}' is not a date (yyyy-MM-dd).")
                : null;
            var agreement = await served.RequestAccessAsync(principal, parseResult.GetRequiredValue(dataset), parseResult.GetRequiredValue(purpose),
                parseResult.GetValue(columns)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), endsOn, parseResult.GetValue(forProduct), cancellationToken);
            Write(output, agreement, served);
        }, cancellationToken));
        command.Add(request);

        foreach (var (name, decision, description) in new[]
        {
            ("approve", AgreementStatus.Active, "Approve a pending request (owning team, admins)."),
            ("reject", AgreementStatus.Rejected, "Reject a pending request with --reason (owning team, admins)."),
            ("revoke", AgreementStatus.Revoked, "Revoke an active agreement (its consumer, the owning team, admins)."),
        })
        {
            var id = new Argument<string>("ID") { Description = "The agreement's id (mesh access list)." };
            var reason = new Option<string?>("--reason") { Description = "Why; the requester sees it." };
            var decide = new Command(name, description) { id, reason, CommonOptions.AppliedData(), As() };
            decide.SetAction((parseResult, cancellationToken) => WithServedAsync(platforms, parseResult, async (served, principal, output) =>
                Write(output, await served.DecideAsync(principal, parseResult.GetRequiredValue(id), decision, parseResult.GetValue(reason), cancellationToken), served),
                cancellationToken));
            command.Add(decide);
        }

        var list = new Command("list", "List the agreements the principal may see.") { CommonOptions.AppliedData(), As() };
        list.SetAction((parseResult, cancellationToken) => WithServedAsync(platforms, parseResult, async (served, principal, output) =>
        {
            var agreements = await served.AgreementsAsync(principal, cancellationToken);
            foreach (var agreement in agreements)
            {
                Write(output, agreement, served);
            }

            output.WriteLine($"{agreements.Count} agreement(s).");
        }, cancellationToken));
        command.Add(list);
        return command;
    }

    public static Command CreateAudit(PlatformSource platforms)
    {
        var head = new Option<string?>("--head") { Description = "A head exported earlier with 'mesh audit head': exit 1 unless the chain still holds it." };
        var verify = new Command("verify", "Check the audit log's keyed hash chain: exit 1 when a record was changed, deleted or downgraded, or an anchored head is gone.")
        {
            CommonOptions.AppliedData(),
            head,
        };
        verify.SetAction(async (parseResult, cancellationToken) =>
        {
            var anchored = parseResult.GetValue(head) is { } given ? Anchor(given) : null;
            await using var served = await platforms.ServeAsync(parseResult, cancellationToken);
            var problems = await served.Store.VerifyAuditAsync(anchored, cancellationToken);
            var output = parseResult.InvocationConfiguration.Output;
            foreach (var problem in problems)
            {
                output.WriteLine($"tampered: {problem}");
            }

            output.WriteLine(problems.Count == 0
                ? "The audit log is intact" + (anchored is null ? "." : $" and still holds the anchored head {anchored}.")
                : $"The audit log was tampered with: {problems.Count} problem(s).");
            return problems.Count == 0 ? MeshCli.ExitCodes.Ok : MeshCli.ExitCodes.Findings;
        });

        var format = CommonOptions.Format("text", "json");
        var show = new Command("head", "Print the newest audit record's sequence number, time and hash, to anchor outside the store (then 'mesh audit verify --head HASH').")
        {
            CommonOptions.AppliedData(),
            format,
        };
        show.SetAction(async (parseResult, cancellationToken) =>
        {
            await using var served = await platforms.ServeAsync(parseResult, cancellationToken);
            var newest = await served.Store.GetAuditAsync(1, cancellationToken) is [var record, ..] ? record : null;
            var output = parseResult.InvocationConfiguration.Output;
            if (parseResult.GetRequiredValue(format) == "json")
            {
                output.WriteLine(JsonSerializer.Serialize(new { seq = newest?.Seq ?? 0, at = newest?.At, hash = newest?.Hash, scheme = newest?.Scheme }));
            }
            else if (newest is null)
            {
                output.WriteLine("The audit log is empty: no head to anchor.");
            }
            else
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seq    {newest.Seq}"));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"at     {newest.At:O}"));
                output.WriteLine($"hash   {newest.Hash}");
                output.WriteLine($"scheme {newest.Scheme}");
            }

            return MeshCli.ExitCodes.Ok;
        });
        return new Command("audit", "The audit log of decisions and reads.") { verify, show };
    }

    /// <summary>An anchored head as given to <c>--head</c>: the 64 hex digits <c>mesh audit head</c> prints.</summary>
    private static string Anchor(string given)
    {
        var hash = given.Trim().ToLowerInvariant();
        return hash.Length == 64 && hash.All(char.IsAsciiHexDigitLower)
            ? hash
            : throw new MeshworkException($"--head '{given}' is not an audit hash: give the 64 hex digits 'mesh audit head' printed.");
    }

    private static Option<string> As() => new("--as") { Description = "The principal of people.yaml acting.", Required = true };

    private static async Task<int> WithServedAsync(PlatformSource platforms, ParseResult parseResult, Func<ServedMesh, Model.Principal, TextWriter, Task> action,
        CancellationToken cancellationToken)
    {
        await using var served = await platforms.ServeAsync(parseResult, cancellationToken);
        var id = parseResult.GetRequiredValue<string>("--as");
        var principal = await served.FindPrincipalAsync(id, cancellationToken) ?? throw new MeshworkException($"No principal '{id}' in people.yaml.");
        try
        {
            await action(served, principal, parseResult.InvocationConfiguration.Output);
        }
        catch (ServingException e)
        {
            parseResult.InvocationConfiguration.Error.WriteLine($"mesh: {e.Message}");
            return e.Error is ServingError.Forbidden or ServingError.Conflict ? MeshCli.ExitCodes.Findings : MeshCli.ExitCodes.Usage;
        }

        return MeshCli.ExitCodes.Ok;
    }

    private static void Write(TextWriter output, Agreement agreement, ServedMesh served)
    {
        var today = DateOnly.FromDateTime(served.Time.GetUtcNow().UtcDateTime);
        var columns = agreement.Columns is null ? "all columns" : string.Join(",", agreement.Columns);
        var end = agreement.EndsOn is { } e ? $" until {e:yyyy-MM-dd}" : string.Empty;
        var decided = agreement.DecidedBy is { } by ? $"; decided by {by}" + (agreement.Reason is { } r ? $": {r}" : string.Empty) : string.Empty;
        output.WriteLine($"{agreement.Id}  {agreement.State(today),-8} {agreement.Consumer} → {agreement.Dataset} ({columns}{end}) for '{agreement.Purpose}'{decided}");
    }
}
