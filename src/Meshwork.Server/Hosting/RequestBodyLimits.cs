using System.Globalization;
using Microsoft.AspNetCore.Http.Features;

namespace Meshwork.Server.Hosting;

/// <summary>Which of the <see cref="RequestBodyLimits"/> an endpoint's request body is held to.</summary>
public enum BodyLimit
{
    /// <summary>Every endpoint not marked otherwise: <c>Meshwork:MaxRequestBodyBytes</c>.</summary>
    Default,

    /// <summary>The SQL query endpoint: <c>Meshwork:MaxQueryBodyBytes</c>.</summary>
    Query,

    /// <summary>The schema registry: <c>Meshwork:MaxSchemaBodyBytes</c>.</summary>
    Schema,

    /// <summary>
    /// A gRPC service (the Flight port): its request body is a stream of messages that lasts as long as the call, so
    /// it is not read ahead here (a streaming call would wait for the end of a body its client has not ended); gRPC
    /// holds each message to <c>Meshwork:MaxRequestBodyBytes</c> instead.
    /// </summary>
    Stream,
}

/// <summary>
/// The most bytes a request body may have, per kind of endpoint (<see cref="BodyLimit"/>). Kestrel's own default
/// (~30 MB) let a few concurrent SQL strings take gigabytes: a body past its limit is answered 413 before any of it
/// is parsed, and a body read whole (JSON) never holds more than the limit.
/// </summary>
public sealed class RequestBodyLimits
{
    public const long DefaultMaxRequestBodyBytes = 1024 * 1024;

    public const long DefaultMaxQueryBodyBytes = 256 * 1024;

    public const long DefaultMaxSchemaBodyBytes = 1024 * 1024;

    public long MaxRequestBodyBytes { get; init; } = DefaultMaxRequestBodyBytes;

    public long MaxQueryBodyBytes { get; init; } = DefaultMaxQueryBodyBytes;

    public long MaxSchemaBodyBytes { get; init; } = DefaultMaxSchemaBodyBytes;

    /// <summary>The limits from the <c>Meshwork</c> configuration section; each must be positive.</summary>
    public static RequestBodyLimits From(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return new RequestBodyLimits
        {
            MaxRequestBodyBytes = Positive(section, nameof(MaxRequestBodyBytes), DefaultMaxRequestBodyBytes),
            MaxQueryBodyBytes = Positive(section, nameof(MaxQueryBodyBytes), DefaultMaxQueryBodyBytes),
            MaxSchemaBodyBytes = Positive(section, nameof(MaxSchemaBodyBytes), DefaultMaxSchemaBodyBytes),
        };
    }

    /// <summary>The limit of a kind of endpoint and the setting that changes it.</summary>
    public (long Bytes, string Setting) For(BodyLimit kind) => kind switch
    {
        BodyLimit.Query => (MaxQueryBodyBytes, "Meshwork:" + nameof(MaxQueryBodyBytes)),
        BodyLimit.Schema => (MaxSchemaBodyBytes, "Meshwork:" + nameof(MaxSchemaBodyBytes)),
        _ => (MaxRequestBodyBytes, "Meshwork:" + nameof(MaxRequestBodyBytes)),
    };

    /// <summary>Bytes as people read them: <c>256 KiB</c>, <c>1 MiB</c>, <c>1000 bytes</c>.</summary>
    public static string Describe(long bytes) =>
        bytes % (1024 * 1024) == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024)} MiB")
        : bytes % 1024 == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024} KiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");

    private static long Positive(IConfiguration section, string key, long fallback)
    {
        var value = section.GetValue(key, fallback);
        return value > 0 ? value : throw new InvalidOperationException($"Meshwork:{key} must be a positive number of bytes, not {value}.");
    }
}

/// <summary>Marks endpoints with their body limit, and enforces the limits.</summary>
public static class RequestBodyLimitsExtensions
{
    /// <summary>Holds the endpoints' request bodies to the <paramref name="kind"/> limit.</summary>
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, BodyLimit kind)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new BodyLimitMetadata(kind));

    /// <summary>
    /// Answers 413 with a ProblemDetails naming the limit and its setting when a request body is over its endpoint's
    /// limit: at once from Content-Length, else (a chunked body) after reading at most the limit plus one byte, which
    /// is then what the endpoint reads. Runs after routing, so the endpoint is known.
    /// </summary>
    public static IApplicationBuilder UseRequestBodyLimits(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var kind = context.GetEndpoint()?.Metadata.GetMetadata<BodyLimitMetadata>()?.Kind ?? BodyLimit.Default;
        if (kind == BodyLimit.Stream)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var limits = context.RequestServices.GetRequiredService<RequestBodyLimits>();
        var (limit, setting) = limits.For(kind);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        var tooLarge = context.Request.ContentLength > limit;
        var method = context.Request.Method;
        if (!tooLarge && context.Request.ContentLength is null && (HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method))
            && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != false)
        {
            var buffered = await ReadUpToAsync(context, limit + 1).ConfigureAwait(false);
            tooLarge = buffered is null;
            if (buffered is not null)
            {
                context.Request.Body = buffered;
            }
        }

        if (tooLarge)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status413PayloadTooLarge,
                    Title = "Request body too large",
                    Detail = $"The request body is larger than {RequestBodyLimits.Describe(limit)}, the limit of {context.Request.Method} {context.Request.Path} "
                        + $"(setting {setting}). Send less, e.g. a shorter statement or schema.",
                },
            }).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    });

    /// <summary>The body read into memory, or null when it has <paramref name="most"/> bytes or more.</summary>
    private static async Task<MemoryStream?> ReadUpToAsync(HttpContext context, long most)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length >= most)
            {
                await buffer.DisposeAsync().ConfigureAwait(false);
                return null;
            }
        }

        buffer.Position = 0;
        context.Response.RegisterForDispose(buffer);
        return buffer;
    }
}

/// <summary>The endpoint metadata <see cref="RequestBodyLimitsExtensions.WithBodyLimit"/> adds.</summary>
internal sealed record BodyLimitMetadata(BodyLimit Kind);
