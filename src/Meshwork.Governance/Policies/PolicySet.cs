using System.Globalization;
using System.Text.Json;
using Meshwork.Diagnostics;
using Meshwork.Engines.Ir;
using Meshwork.Governance.Cel;
using Meshwork.Model;

namespace Meshwork.Governance.Policies;

/// <summary>
/// The mesh's policies, read from their files and compiled once. Compiling reports every expression that
/// does not type-check and every target the mesh does not have; such a policy is left out (and the report has
/// an error, so lint fails).
/// </summary>
public sealed class PolicySet
{
    private PolicySet(IReadOnlyList<Policy> policies) => Policies = policies;

    public static PolicySet Empty { get; } = new([]);

    public IReadOnlyList<Policy> Policies { get; }

    public IEnumerable<Policy> OfKind(PolicyKind kind) => Policies.Where(p => p.Kind == kind && p.Status is PolicyStatus.Enforced or PolicyStatus.Grace);

    public static PolicySet Compile(Mesh mesh, IPolicyEvaluator evaluator, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(diagnostics);
        var policies = new List<Policy>();
        foreach (var file in mesh.Policies.Where(p => p.Document.ValueKind == JsonValueKind.Object))
        {
            if (Read(mesh, file, evaluator, diagnostics) is { } policy)
            {
                policies.Add(policy);
            }
        }

        return new PolicySet(policies);
    }

    private static Policy? Read(Mesh mesh, PolicyFile file, IPolicyEvaluator evaluator, DiagnosticBag diagnostics)
    {
        var root = file.Document;
        var kind = Text(root, "type") switch
        {
            "rule" => PolicyKind.Rule,
            "access" => PolicyKind.Access,
            "column_mask" => PolicyKind.ColumnMask,
            "row_filter" => PolicyKind.RowFilter,
            _ => (PolicyKind?)null,
        };
        if (kind is null)
        {
            return null; // the schema check has reported it
        }

        var status = Text(root, "status") switch
        {
            "draft" => PolicyStatus.Draft,
            "grace" => PolicyStatus.Grace,
            "deprecated" => PolicyStatus.Deprecated,
            _ => PolicyStatus.Enforced,
        };
        DateOnly? until = DateOnly.TryParse(Text(root, "until"), CultureInfo.InvariantCulture, out var date) ? date : null;
        var targets = root.TryGetProperty("targets", out var t) && t.ValueKind == JsonValueKind.Object
            ? new PolicyTargets(List(t, "domains"), List(t, "products"), List(t, "datasets"), List(t, "tags"), List(t, "classifications"))
            : PolicyTargets.Any;
        var ok = CheckTargets(mesh, file, kind.Value, targets, diagnostics);

        var declarations = PolicyDeclarations.For(mesh.People, rule: kind == PolicyKind.Rule);
        var when = CompileAt(file, "/when", declarations, evaluator, diagnostics, ref ok);
        var check = kind == PolicyKind.Rule ? CompileAt(file, "/check", declarations, evaluator, diagnostics, ref ok) : null;
        var mask = Text(root, "mask") is { } m ? new ColumnMask(MaskOf(m), Text(root, "expression")) : null;
        var filter = Text(root, "filter");
        if (kind == PolicyKind.RowFilter && filter is not null)
        {
            ok &= CheckFilter(mesh, file, targets, filter, evaluator, diagnostics);
        }

        if (!ok)
        {
            return null;
        }

        return new Policy(file.Name, file.File, kind.Value, status, until, file.Scope, file.ScopeKey, targets, when, Text(root, "effect") == "deny", mask,
            filter, check, Text(root, "message"), Text(root, "description"), file.Location)
        {
            FilterLocation = file.Map?.LocateValue("/filter") ?? file.Location,
        };
    }

    /// <summary>
    /// A row filter is checked over any row first: an error there is the policy's own (false: the policy is refused,
    /// and with it the repository). Then against every dataset it targets: a dataset it cannot be applied to (a
    /// column missing, or of another type) refuses that dataset's product only; the policy stays in force elsewhere,
    /// and at read time it hides every row of that dataset from whom it targets.
    /// </summary>
    private static bool CheckFilter(Mesh mesh, PolicyFile file, PolicyTargets targets, string filter, IPolicyEvaluator evaluator, DiagnosticBag diagnostics)
    {
        var location = file.Map?.LocateValue("/filter") ?? file.Location;
        try
        {
            evaluator.Compile(filter, PolicyDeclarations.ForAnyRow(mesh.People));
        }
        catch (PolicyExpressionException e)
        {
            diagnostics.Report(Rules.PolicyExpression, Offset(location, e.Column), $"Policy '{file.Name}': its filter {e.Message}.");
            return false;
        }

        foreach (var dataset in Resources.Datasets(mesh).Where(d => targets.MatchesDataset(d.Domain, d.ProductKey, d.Address) && targets.MatchesTags(d.Tags)
            && Applies(file, d.Domain, d.ProductKey)))
        {
            var columns = dataset.Columns.ToDictionary(c => c.Name, c => c.LogicalType, StringComparer.Ordinal);
            try
            {
                evaluator.Compile(filter, PolicyDeclarations.ForRows(mesh.People, columns));
            }
            catch (PolicyExpressionException e)
            {
                var product = mesh.FindProduct(dataset.ProductKey);
                diagnostics.Report(Rules.PolicyNotApplicable, product?.Location ?? location,
                    $"{dataset.ProductKey}: refused: policy '{file.Name}' ({file.File}:{location.Line}) cannot be applied to {dataset.Address}: {e.Message}.");
            }
        }

        return true;
    }

    private static bool Applies(PolicyFile file, string domain, string productKey) => file.Scope switch
    {
        PolicyScope.Domain => file.ScopeKey == domain,
        PolicyScope.Product => file.ScopeKey == productKey,
        _ => true,
    };

    private static bool CheckTargets(Mesh mesh, PolicyFile file, PolicyKind kind, PolicyTargets targets, DiagnosticBag diagnostics)
    {
        var ok = true;
        foreach (var domain in targets.Domains.Where(d => mesh.FindDomain(d) is null))
        {
            diagnostics.Report(Rules.PolicyTarget, file.Map?.LocateValue("/targets/domains") ?? file.Location, $"Policy '{file.Name}' targets domain '{domain}', which the mesh does not have.");
            ok = false;
        }

        foreach (var product in targets.Products.Where(p => mesh.FindProduct(p) is null))
        {
            diagnostics.Report(Rules.PolicyTarget, file.Map?.LocateValue("/targets/products") ?? file.Location, $"Policy '{file.Name}' targets product '{product}', which the mesh does not have.");
            ok = false;
        }

        var addresses = Resources.Datasets(mesh).Select(d => d.Address).ToHashSet(StringComparer.Ordinal);
        foreach (var dataset in targets.Datasets.Where(d => !addresses.Contains(d)))
        {
            diagnostics.Report(Rules.PolicyTarget, file.Map?.LocateValue("/targets/datasets") ?? file.Location, $"Policy '{file.Name}' targets dataset '{dataset}', which no product publishes.");
            ok = false;
        }

        if (kind == PolicyKind.ColumnMask && !targets.SelectsColumns)
        {
            diagnostics.Report(Rules.PolicyTarget, file.Map?.Locate("/targets") ?? file.Location, $"Column mask '{file.Name}' selects no columns; give targets.tags or targets.classifications.");
            ok = false;
        }

        return ok;
    }

    private static CompiledExpression? CompileAt(PolicyFile file, string pointer, PolicyDeclarations declarations, IPolicyEvaluator evaluator, DiagnosticBag diagnostics, ref bool ok)
    {
        if (Text(file.Document, pointer[1..]) is not { } text)
        {
            return null;
        }

        try
        {
            return evaluator.Compile(text, declarations);
        }
        catch (PolicyExpressionException e)
        {
            diagnostics.Report(Rules.PolicyExpression, Offset(file.Map?.LocateValue(pointer) ?? file.Location, e.Column), $"Policy '{file.Name}': '{pointer[1..]}' {e.Message}.");
            ok = false;
            return null;
        }
    }

    // The expression's column within the YAML value (a quoted value starts one column later; close enough to find it).
    private static SourceLocation Offset(SourceLocation value, int column) => value with { Column = value.Column + column - 1 };

    private static MaskKind MaskOf(string mask) => mask switch
    {
        "MASK" => MaskKind.Mask,
        "MASK_SHOW_LAST_4" => MaskKind.ShowLast4,
        "MASK_SHOW_FIRST_4" => MaskKind.ShowFirst4,
        "MASK_HASH" => MaskKind.Hash,
        "MASK_NULL" => MaskKind.Null,
        "MASK_DATE_SHOW_YEAR" => MaskKind.DateShowYear,
        "CUSTOM" => MaskKind.Custom,
        _ => MaskKind.None,
    };

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static List<string> List(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? [.. value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)]
            : [];
}
