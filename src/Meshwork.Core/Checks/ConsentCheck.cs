using Meshwork.Diagnostics;
using Meshwork.Model;

namespace Meshwork.Checks;

/// <summary>
/// mesh.yaml's <c>privacy.consent</c> names a dataset a product publishes, with a column identifying the subject (tagged
/// <c>subject-key</c>, or named by <c>meshwork.subjectKey</c>) and a string column <c>purpose</c>: else no objection could
/// be enforced, and reads would go on as if nobody objected.
/// </summary>
internal sealed class ConsentCheck : IMeshCheck
{
    /// <summary>The column of the consent dataset that holds the purpose objected to.</summary>
    public const string PurposeColumn = "purpose";

    public CheckScope Scope => CheckScope.Mesh;

    public void Run(Mesh mesh, DiagnosticBag diagnostics)
    {
        if (mesh.Settings.Consent is not { } consent)
        {
            return;
        }

        var found = mesh.Products.SelectMany(p => p.OutputPorts).Select(p => p.ContractId).OfType<string>()
            .Select(id => (Contract: mesh.FindContract(id), Addresses: mesh.PublishedDatasets(id).ToList()))
            .FirstOrDefault(c => c.Addresses.Contains(consent, StringComparer.Ordinal));
        if (found.Contract is not { } contract)
        {
            diagnostics.Report(Rules.ConsentDataset, mesh.Settings.ConsentLocation, $"privacy.consent names '{consent}', which no product publishes.");
            return;
        }

        var objectName = consent[(consent.LastIndexOf('.') + 1)..consent.LastIndexOf("_v", StringComparison.Ordinal)];
        var schemaObject = contract.Schema.FirstOrDefault(o => o.Name == objectName);
        var properties = schemaObject?.Properties ?? [];
        if (schemaObject is null || SubjectKeys.Of(schemaObject).Count == 0)
        {
            diagnostics.Report(Rules.ConsentDataset, mesh.Settings.ConsentLocation, $"privacy.consent's dataset '{consent}' has no column tagged subject-key (contract '{contract.Id}').");
        }

        if (!properties.Any(p => p.Name == PurposeColumn && p.LogicalType is null or "string"))
        {
            diagnostics.Report(Rules.ConsentDataset, mesh.Settings.ConsentLocation, $"privacy.consent's dataset '{consent}' has no string column '{PurposeColumn}' (contract '{contract.Id}').");
        }
    }
}
