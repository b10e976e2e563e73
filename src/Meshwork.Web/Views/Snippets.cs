namespace Meshwork.Web.Views;

/// <summary>A copy-paste example of reading a dataset.</summary>
public sealed record Snippet(string Id, string Title, string Language, string Code);

/// <summary>How to read a dataset from the tools people use: curl, SQL over HTTP, Python with pandas, C#.</summary>
public static class Snippets
{
    public static IReadOnlyList<Snippet> For(string baseUrl, string address, IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var data = $"{baseUrl}/api/v1/datasets/{address}/data";
        var some = string.Join(", ", columns.Take(3).Select(c => $"\"{c}\""));
        var sql = $"SELECT {(columns.Count == 0 ? "*" : some)} FROM {address} LIMIT 100";
        var jsonSql = sql.Replace("\"", "\\\"", StringComparison.Ordinal);
        return
        [
            new("curl", "curl", "shell", $"""
                # A token for yourself: mesh token <your id> --data <data folder>
                export MESH_TOKEN=...
                curl -H "Authorization: Bearer $MESH_TOKEN" "{data}?format=csv&limit=100"
                """),
            new("sql", "SQL (POST /api/v1/query)", "shell", $$"""
                curl -H "Authorization: Bearer $MESH_TOKEN" -H "Content-Type: application/json" \
                  "{{baseUrl}}/api/v1/query?format=ndjson" \
                  -d '{"sql": "{{jsonSql}}", "purpose": "analytics"}'
                """),
            new("python", "Python (pandas over Arrow or CSV)", "python", $$"""
                import io, os, requests, pandas as pd, pyarrow as pa

                headers = {"Authorization": f"Bearer {os.environ['MESH_TOKEN']}"}
                # Arrow keeps the types; CSV needs nothing but pandas.
                arrow = requests.get("{{data}}", params={"format": "arrow"}, headers=headers)
                arrow.raise_for_status()
                df = pa.ipc.open_stream(arrow.content).read_pandas()

                csv = requests.get("{{data}}", params={"format": "csv"}, headers=headers)
                df_csv = pd.read_csv(io.StringIO(csv.text))
                """),
            new("csharp", "C# (HttpClient and Apache.Arrow)", "csharp", $$"""
                using System.Net.Http.Headers;
                using Apache.Arrow.Ipc;

                using var http = new HttpClient();
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Environment.GetEnvironmentVariable("MESH_TOKEN"));
                await using var body = await http.GetStreamAsync("{{data}}?format=arrow");
                using var reader = new ArrowStreamReader(body);
                while (await reader.ReadNextRecordBatchAsync() is { } batch)
                {
                    Console.WriteLine($"{batch.Length} rows");
                }
                """),
        ];
    }
}
