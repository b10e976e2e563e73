using Meshwork.Platform.Serving;
using Meshwork.Platform.Serving.Formats;
using Meshwork.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Meshwork.Server.Apis;

/// <summary>A consumer query: one SELECT over dataset addresses, and why it is run.</summary>
public sealed record QueryRequest(string? Sql, string? Purpose);

/// <summary>
/// The data port over HTTP: a dataset's rows, or a SQL query over datasets, streamed as Arrow IPC, Parquet,
/// CSV or NDJSON. Every read is governed (access plan → governed views → stream → audit record).
/// </summary>
public static class DataApi
{
    public static IEndpointRouteBuilder MapDataApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Data");
        api.MapGet("/datasets/{address}/data", ReadAsync)
            .WithSummary("Stream a dataset as the caller may see it. format=arrow|parquet|csv|ndjson (default arrow), columns=a,b, limit, offset, purpose.")
            .Produces(StatusCodes.Status200OK, contentType: DataFormats.ContentType(DataFormat.Arrow), additionalContentTypes:
                [DataFormats.ContentType(DataFormat.Parquet), DataFormats.ContentType(DataFormat.Csv), DataFormats.ContentType(DataFormat.Ndjson)]);
        api.MapPost("/query", QueryAsync)
            .WithSummary("Run one read-only SELECT over datasets (named by address) as the caller may see them; ?format= as for dataset data.")
            .WithBodyLimit(BodyLimit.Query)
            .Produces(StatusCodes.Status200OK, contentType: DataFormats.ContentType(DataFormat.Arrow));
        return app;
    }

    private static async Task<IResult> ReadAsync(string address, HttpContext context, ServedMesh served, MeshMetrics metrics, CancellationToken cancellationToken,
        string? format = null, string? columns = null, long? limit = null, long? offset = null, string? purpose = null)
    {
        if (Format(context, format) is not { } dataFormat)
        {
            return BadFormat(format);
        }

        var selected = columns?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var result = await served.ReadDatasetAsync(context.Principal(), address, selected, limit, offset, purpose, cancellationToken);
        return new GovernedStream(result, dataFormat, address, metrics);
    }

    private static async Task<IResult> QueryAsync([FromBody] QueryRequest request, HttpContext context, ServedMesh served, MeshMetrics metrics,
        CancellationToken cancellationToken, string? format = null)
    {
        if (Format(context, format) is not { } dataFormat)
        {
            return BadFormat(format);
        }

        var result = await served.QueryAsync(context.Principal(), request.Sql ?? string.Empty, request.Purpose, cancellationToken);
        return new GovernedStream(result, dataFormat, "query", metrics);
    }

    /// <summary>The format asked for by <c>?format=</c>, else by the Accept header, else Arrow.</summary>
    private static DataFormat? Format(HttpContext context, string? format)
    {
        if (format is not null)
        {
            return DataFormats.TryParse(format, out var parsed) ? parsed : null;
        }

        foreach (var accept in context.Request.GetTypedHeaders().Accept)
        {
            foreach (var candidate in Enum.GetValues<DataFormat>())
            {
                if (DataFormats.ContentType(candidate).StartsWith(accept.MediaType.Value ?? "-", StringComparison.OrdinalIgnoreCase))
                {
                    return candidate;
                }
            }
        }

        return DataFormat.Arrow;
    }

    private static ProblemHttpResult BadFormat(string? format) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request",
            detail: $"Unknown format '{format}'; use arrow, parquet, csv or ndjson.");

    /// <summary>
    /// Streams a governed result. The query starts and its first batch is read before any byte is sent, so a
    /// failing query or one over a limit right away is a ProblemDetails response.
    /// </summary>
    private sealed class GovernedStream(GovernedResult result, DataFormat format, string name, MeshMetrics metrics) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            await using (result)
            {
                var cancellationToken = httpContext.RequestAborted;
                var schema = await result.StartAsync(cancellationToken);
                await using var batches = result.ReadAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
                var any = await batches.MoveNextAsync();
                httpContext.Response.ContentType = DataFormats.ContentType(format);
                httpContext.Response.Headers.ContentDisposition = $"inline; filename=\"{name}.{DataFormats.Extension(format)}\"";
                try
                {
                    await DataFormats.WriteAsync(format, schema, Remaining(any, batches), result.Bounded(httpContext.Response.Body), cancellationToken);
                }
                catch (ServingException) when (httpContext.Response.HasStarted)
                {
                    // Too late for a status code: cut the response so the client cannot take it for complete.
                    httpContext.Abort();
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    result.Fail("aborted", "the client went away");
                }

                metrics.Served(result.Plans.Select(p => p.Address), result.Rows, result.Bytes);
            }
        }

        private static async IAsyncEnumerable<Apache.Arrow.RecordBatch> Remaining(bool any, IAsyncEnumerator<Apache.Arrow.RecordBatch> batches)
        {
            if (!any)
            {
                yield break;
            }

            yield return batches.Current;
            while (await batches.MoveNextAsync())
            {
                yield return batches.Current;
            }
        }
    }
}
