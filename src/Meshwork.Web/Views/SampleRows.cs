using System.Text.Json;
using Meshwork.Model;
using Meshwork.Platform.Serving;
using Meshwork.Platform.Serving.Formats;

namespace Meshwork.Web.Views;

/// <summary>
/// A few rows of a dataset as the signed-in principal may see them. Read through the governed read (the
/// same access plan, masks, row filter and audit record as the data API), never from the snapshot directly.
/// </summary>
public sealed record SampleRows(
    string Address,
    IReadOnlyList<string> Columns,
    IReadOnlyList<IReadOnlyList<string?>> Rows,
    IReadOnlyDictionary<string, string> Masks,
    bool Filtered,
    IReadOnlyList<string> Policies,
    string? Refused)
{
    public const int DefaultLimit = 10;

    public static async Task<SampleRows> ReadAsync(ServedMesh served, Principal principal, string address, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(served);
        try
        {
            await using var result = await served.ReadAsync(ReadRequest.Read(principal, ReadChannels.Ui, address) with { Limit = limit }, cancellationToken).ConfigureAwait(false);
            var schema = await result.StartAsync(cancellationToken).ConfigureAwait(false);
            // NDJSON is how the API renders values as text; reading it back shows them exactly as a consumer gets them.
            using var buffer = new MemoryStream();
            await DataFormats.WriteAsync(DataFormat.Ndjson, schema, result.ReadAsync(cancellationToken), buffer, cancellationToken).ConfigureAwait(false);
            var columns = schema.FieldsList.Select(f => f.Name).ToList();
            var rows = new List<IReadOnlyList<string?>>();
            foreach (var line in System.Text.Encoding.UTF8.GetString(buffer.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                using var document = JsonDocument.Parse(line);
                rows.Add([.. columns.Select(c => document.RootElement.TryGetProperty(c, out var value) ? Text(value) : null)]);
            }

            var plan = result.Plans[0];
            return new SampleRows(address, columns, rows, plan.Masks.ToDictionary(m => m.Key, m => m.Value.Kind.ToString()), plan.Filter is not null, plan.Policies, null);
        }
        catch (ServingException e) when (e.Error is ServingError.Forbidden or ServingError.NotFound)
        {
            return new SampleRows(address, [], [], new Dictionary<string, string>(), false, [], e.Message);
        }
    }

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.String => value.GetString(),
        _ => value.GetRawText(),
    };
}
