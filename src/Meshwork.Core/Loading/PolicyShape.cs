using System.Text.Json;
using Meshwork.Diagnostics;
using Meshwork.Documents;

namespace Meshwork.Loading;

/// <summary>
/// The minimal shape every policy file has (apiVersion, kind: Policy, name). The policy language itself
/// (kinds, targets, CEL conditions) is checked by the governance layer.
/// </summary>
internal static class PolicyShape
{
    public static void Validate(SourceDocument document, DiagnosticBag diagnostics)
    {
        var root = document.Root;
        if (root.ValueKind != JsonValueKind.Object)
        {
            diagnostics.Report(Rules.PolicySchema, document.Locate(string.Empty), "A policy file must be a mapping.");
            return;
        }

        if (root.Str("kind") != "Policy")
        {
            diagnostics.Report(Rules.PolicySchema, document.Locate("/kind"), "A policy file must say 'kind: Policy'.");
        }

        if (string.IsNullOrWhiteSpace(root.Str("name")))
        {
            diagnostics.Report(Rules.PolicySchema, document.Locate("/name"), "A policy file must have a 'name'.");
        }
    }
}
