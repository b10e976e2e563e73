using System.Globalization;
using System.Text;
using Meshwork.Diagnostics;
using Meshwork.Model;

namespace Meshwork.Checks;

/// <summary>Every link a product or contract gives people to follow is http, https or mailto (<see cref="Links.IsSafe"/>).</summary>
internal sealed class LinkCheck : IMeshCheck
{
    private const int ShownLength = 80;

    public CheckScope Scope => CheckScope.Document;

    public void Run(Mesh mesh, DiagnosticBag diagnostics)
    {
        var documents = mesh.Products.Select(p => (Kind: "Product", p.Id, p.Links)).Concat(mesh.Contracts.Select(c => (Kind: "Contract", c.Id, c.Links)));
        foreach (var (kind, id, links) in documents)
        {
            foreach (var link in links.Where(l => !Links.IsSafe(l.Url)))
            {
                diagnostics.Report(Rules.UnsafeLink, link.Location,
                    $"{kind} '{id}' has {link.Field} '{Shown(link.Url)}', which is not an absolute http, https or mailto URL.");
            }
        }
    }

    /// <summary>The value as it can be printed: control characters spelled out (a terminal would obey them), long values cut.</summary>
    private static string Shown(string url)
    {
        var shown = new StringBuilder();
        foreach (var c in url.Length > ShownLength ? url[..ShownLength] : url)
        {
            if (char.IsControl(c))
            {
                shown.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                shown.Append(c);
            }
        }

        return url.Length > ShownLength ? shown.Append('…').ToString() : shown.ToString();
    }
}
