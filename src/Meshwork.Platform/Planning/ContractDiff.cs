using Meshwork.Diagnostics;
using Meshwork.Engines.Ir;
using Meshwork.Loading;
using Meshwork.Model;

namespace Meshwork.Platform.Planning;

/// <summary>
/// One version of a contract as <c>mesh diff</c> compares it: where it came from (<see cref="Label"/>: a file,
/// the repository, the applied state) and its datasets' schemas by object name.
/// </summary>
public sealed record ContractVersion(string Label, string ContractId, string Version, int Major, IReadOnlyDictionary<string, DatasetSchema> Objects)
{
    /// <summary>A contract's schema objects compiled as the pipeline enforces them (<paramref name="major"/>: the port's, else the contract's).</summary>
    public static ContractVersion Of(string label, Contract contract, int? major = null)
    {
        ArgumentNullException.ThrowIfNull(contract);
        var diagnostics = new DiagnosticBag();
        var objects = contract.Schema.Where(o => !o.Properties.IsEmpty).ToDictionary(
            o => o.Name,
            o => DatasetSchema.From(ContractCompiler.CompileObject(o.Name, contract, o, diagnostics)),
            StringComparer.Ordinal);
        return new ContractVersion(label, contract.Id, contract.Version, major ?? contract.Major ?? 1, objects);
    }
}

/// <summary>A classified change of one dataset, and the live consumers it would break.</summary>
public sealed record DatasetDiffChange(string Object, SchemaChange Change, IReadOnlyList<DatasetConsumer> Breaks);

/// <summary>What changed between two versions of a contract, and whom it breaks.</summary>
public sealed record ContractDiffResult(
    ContractVersion Old,
    ContractVersion New,
    IReadOnlyList<DatasetDiffChange> Changes,
    IReadOnlyDictionary<string, IReadOnlyList<DatasetConsumer>> Consumers)
{
    public bool Breaking => Changes.Any(c => c.Change.Breaking);

    /// <summary>
    /// A new major version is published beside the old one, which keeps serving until its sunset: its breaking
    /// changes break no live consumer, whose readers need to migrate instead.
    /// </summary>
    public bool NewMajor => New.Major > Old.Major;

    /// <summary>Whether applying the new version in place would break a live consumer (<c>mesh diff</c> exits 1).</summary>
    public bool BreaksLiveConsumer => !NewMajor && Changes.Any(c => c.Breaks.Count > 0);
}

/// <summary>
/// Classifies the changes between two versions of a contract with <see cref="SchemaDiff"/>, the classification
/// <c>mesh plan</c> uses, and names the consumers each breaking change would break.
/// </summary>
public static class ContractDiff
{
    /// <summary>Classifies every change from <paramref name="old"/> to <paramref name="new"/>; <paramref name="consumers"/>: the live consumers per object name of the old version (empty without an applied mesh).</summary>
    public static ContractDiffResult Compare(ContractVersion old, ContractVersion @new, IReadOnlyDictionary<string, IReadOnlyList<DatasetConsumer>> consumers)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(@new);
        ArgumentNullException.ThrowIfNull(consumers);
        var changes = new List<DatasetDiffChange>();
        foreach (var (name, before) in old.Objects.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            var readers = consumers.GetValueOrDefault(name) ?? [];
            var found = @new.Objects.TryGetValue(name, out var after)
                ? SchemaDiff.Compare(before, after)
                : [new SchemaChange("*", $"dataset '{name}' removed", Breaking: true)];
            changes.AddRange(found.Select(c => new DatasetDiffChange(name, c, c.Breaking ? [.. readers.Where(r => r.Uses(c))] : [])));
        }

        foreach (var name in @new.Objects.Keys.Where(n => !old.Objects.ContainsKey(n)).Order(StringComparer.Ordinal))
        {
            changes.Add(new DatasetDiffChange(name, new SchemaChange("*", $"dataset '{name}' added", Breaking: false), []));
        }

        return new ContractDiffResult(old, @new, changes, consumers);
    }

    /// <summary>Reads a contract file (ODCS v3) for a diff; an invalid file is an error naming each problem.</summary>
    public static Contract ReadFile(string path)
    {
        var full = Path.GetFullPath(path);
        var diagnostics = new DiagnosticBag();
        var document = DocumentKinds.Read(full, Path.GetFileName(full), DocumentKind.Contract, diagnostics);
        var errors = diagnostics.ToSortedList().Where(d => d.Severity == Severity.Error).ToList();
        return document is null || errors.Count > 0
            ? throw new MeshworkException($"{path} is not a valid ODCS contract:\n{string.Join('\n', errors.Select(e => "  " + e))}")
            : ContractReader.Read(document, Path.GetDirectoryName(full)!);
    }
}
