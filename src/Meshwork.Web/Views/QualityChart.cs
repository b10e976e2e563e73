using System.Globalization;
using System.Net;
using System.Text;
using Meshwork.Platform.Store;

namespace Meshwork.Web.Views;

/// <summary>
/// A dataset's quality history as an SVG drawn on the server: one row per check, one column per run (oldest
/// left), each cell the check's outcome in that run, with the outcome spelled out in its tooltip.
/// </summary>
public static class QualityChart
{
    private const int Cell = 16;
    private const int Gap = 3;
    private const int LabelWidth = 230;
    private const int Top = 8;
    private const int AxisHeight = 22;

    /// <summary>Runs shown at most: the newest ones.</summary>
    public const int MaxRuns = 30;

    public static string ToSvg(IReadOnlyList<CheckRecord> history, string title)
    {
        ArgumentNullException.ThrowIfNull(history);
        var runs = history.GroupBy(c => c.RunId)
            .Select(g => (RunId: g.Key, At: g.Max(c => c.CheckedAt), Checks: g.ToList()))
            .OrderByDescending(r => r.At).Take(MaxRuns).OrderBy(r => r.At).ToList();
        var names = runs.SelectMany(r => r.Checks).Select(c => c.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        // Room for the first run's date under the grid, however few runs there are.
        var width = LabelWidth + Math.Max(runs.Count * (Cell + Gap), 150) + 8;
        var height = Top + (names.Count * (Cell + Gap)) + AxisHeight;

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg class="quality-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{E(title)}">""");
        for (var row = 0; row < names.Count; row++)
        {
            var y = Top + (row * (Cell + Gap));
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="0" y="{y + Cell - 4}" class="chart-label">{E(Clip(names[row], 34))}<title>{E(names[row])}</title></text>""");
            for (var column = 0; column < runs.Count; column++)
            {
                var x = LabelWidth + (column * (Cell + Gap));
                var check = runs[column].Checks.FirstOrDefault(c => c.Name == names[row]);
                var status = check?.Status ?? "not run";
                var tip = check is null ? $"{names[row]}: not run in {runs[column].RunId}"
                    : $"{names[row]}: {status} at {Format.Time(check.CheckedAt)} — {check.Message}";
                svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{x}" y="{y}" width="{Cell}" height="{Cell}" rx="3" class="cell {Css(status)}" data-status="{E(status)}"><title>{E(tip)}</title></rect>""");
            }
        }

        if (runs.Count > 0)
        {
            var axis = Top + (names.Count * (Cell + Gap)) + 14;
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{LabelWidth}" y="{axis}" class="chart-axis">{E(Format.Time(runs[0].At))}</text>""");
            if (runs.Count > 8)
            {
                svg.Append(CultureInfo.InvariantCulture, $"""<text x="{LabelWidth + (runs.Count * (Cell + Gap)) - Gap}" y="{axis}" class="chart-axis" text-anchor="end">{E(Format.Time(runs[^1].At))}</text>""");
            }
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    private static string Css(string status) => status switch
    {
        "passed" => "pass",
        "failed" or "error" => "fail",
        "warned" => "warn",
        _ => "none",
    };

    private static string Clip(string text, int length) => text.Length <= length ? text : string.Concat(text.AsSpan(0, length - 1), "…");

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
