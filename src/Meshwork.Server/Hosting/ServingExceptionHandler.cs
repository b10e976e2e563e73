using Meshwork.Engines;
using Meshwork.Loading;
using Meshwork.Platform.Serving;
using Meshwork.Platform.Store;
using Microsoft.AspNetCore.Diagnostics;

namespace Meshwork.Server.Hosting;

/// <summary>
/// Platform errors as ProblemDetails with the status each means; their messages are written for the caller. An
/// engine error that reaches here unwrapped (a corrupt snapshot, say) is the server's fault, and its text is
/// redacted: engines quote row values.
/// </summary>
internal sealed class ServingExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title) = exception switch
        {
            ServingException { Error: ServingError.NotFound } => (StatusCodes.Status404NotFound, "Not found"),
            ServingException { Error: ServingError.Forbidden } => (StatusCodes.Status403Forbidden, "Access denied"),
            ServingException { Error: ServingError.LimitExceeded } => (StatusCodes.Status422UnprocessableEntity, "Limit exceeded"),
            ServingException { Error: ServingError.Conflict } => (StatusCodes.Status409Conflict, "Conflict"),
            ServingException { Error: ServingError.TooManyRequests } => (StatusCodes.Status429TooManyRequests, "Too many requests"),
            ServingException { Error: ServingError.Failed } => (StatusCodes.Status500InternalServerError, "Read failed"),
            ServingException => (StatusCodes.Status400BadRequest, "Bad request"),
            MeshworkException => (StatusCodes.Status400BadRequest, "Bad request"),
            // The store or the data folder fails on this machine: the operator's to fix, never the caller's.
            StorageUnavailableException => (StatusCodes.Status503ServiceUnavailable, "Storage unavailable"),
            // An output format that cannot carry a column type (checked before the first byte).
            NotSupportedException => (StatusCodes.Status400BadRequest, "Format not supported"),
            EngineException => (StatusCodes.Status500InternalServerError, "Engine error"),
            _ => (0, null),
        };
        if (status == 0 || httpContext.Response.HasStarted)
        {
            return false;
        }

        httpContext.Response.StatusCode = status;
        if (status == StatusCodes.Status429TooManyRequests)
        {
            httpContext.Response.Headers.RetryAfter = ServedMesh.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            // A storage fault's message names the server's paths: callers get the gist, the log gets the rest.
            ProblemDetails =
            {
                Status = status,
                Title = title,
                Detail = exception switch
                {
                    StorageUnavailableException => "The platform's metadata store or data folder cannot be used right now; try again later.",
                    EngineException => EngineMessages.Redact(exception.Message),
                    _ => exception.Message,
                },
            },
        }).ConfigureAwait(false);
    }
}
