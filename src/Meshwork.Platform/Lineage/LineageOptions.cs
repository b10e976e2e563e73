using Meshwork.Loading;

namespace Meshwork.Platform.Lineage;

/// <summary>
/// How OpenLineage events are sent: the standard client variables (<c>OPENLINEAGE_URL</c>, <c>OPENLINEAGE_ENDPOINT</c>,
/// <c>OPENLINEAGE_API_KEY</c>, <c>OPENLINEAGE_DISABLED</c>) plus <c>OPENLINEAGE_FILE</c> for the file transport, and the
/// queue's bounds. Nothing set: no events (the emitter is off and costs nothing).
/// </summary>
public sealed class LineageOptions
{
    public const string UrlVariable = "OPENLINEAGE_URL";
    public const string EndpointVariable = "OPENLINEAGE_ENDPOINT";
    public const string ApiKeyVariable = "OPENLINEAGE_API_KEY";
    public const string FileVariable = "OPENLINEAGE_FILE";
    public const string DisabledVariable = "OPENLINEAGE_DISABLED";

    /// <summary>The endpoint the OpenLineage clients and Marquez use when none is given.</summary>
    public const string DefaultEndpoint = "api/v1/lineage";

    /// <summary>The receiver's base URL (e.g. Marquez at <c>http://localhost:5000</c>): events are POSTed to it plus <see cref="Endpoint"/>.</summary>
    public Uri? Url { get; set; }

    public string Endpoint { get; set; } = DefaultEndpoint;

    /// <summary>Sent as <c>Authorization: Bearer KEY</c> when set.</summary>
    public string? ApiKey { get; set; }

    /// <summary>A file to append one JSON event per line to (used when no <see cref="Url"/> is set).</summary>
    public string? File { get; set; }

    /// <summary>A transport of another kind (takes precedence over <see cref="Url"/> and <see cref="File"/>).</summary>
    public ILineageTransport? Transport { get; set; }

    /// <summary>True turns emission off whatever else is set (<c>OPENLINEAGE_DISABLED=true</c>).</summary>
    public bool Disabled { get; set; }

    /// <summary>Events waiting to be sent; when full the oldest is dropped (and counted), so a slow receiver never holds memory or a run.</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Tries per event before it is given up (and counted as failed).</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The wait before the first retry; it doubles with each retry up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one HTTP request may take: a slow receiver costs the queue this much, never a run.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the end of an apply (or a shutdown) waits for queued events to go out before leaving them.</summary>
    public TimeSpan FlushTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The clock of the retry delays and timeouts. Delivery runs on the wall clock by default: a test's frozen clock
    /// (which event times read) must not freeze the queue.
    /// </summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Whether events are emitted at all.</summary>
    public bool Enabled => !Disabled && (Transport is not null || Url is not null || !string.IsNullOrWhiteSpace(File));

    /// <summary>Options from the standard variables, read through <paramref name="read"/> (the process environment by default).</summary>
    public static LineageOptions FromEnvironment(Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        var options = new LineageOptions();
        options.ApplyEnvironment(read);
        return options;
    }

    /// <summary>Sets what the variables name, leaving the rest as it is; a malformed URL fails here with the variable's name.</summary>
    public void ApplyEnvironment(Func<string, string?> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        if (read(UrlVariable) is { Length: > 0 } url)
        {
            Url = Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                ? uri
                : throw new MeshworkException($"{UrlVariable} must be an http(s) URL such as http://localhost:5000 (it is '{url}').");
        }

        if (read(EndpointVariable) is { Length: > 0 } endpoint)
        {
            Endpoint = endpoint.Trim();
        }

        if (read(ApiKeyVariable) is { Length: > 0 } key)
        {
            ApiKey = key.Trim();
        }

        if (read(FileVariable) is { Length: > 0 } file)
        {
            File = file.Trim();
        }

        if (read(DisabledVariable) is { } disabled && bool.TryParse(disabled.Trim(), out var off))
        {
            Disabled = off;
        }
    }

    /// <summary>The URL events are POSTed to: <see cref="Url"/> joined with <see cref="Endpoint"/>.</summary>
    public Uri? EventsUrl => Url is null ? null : new Uri(Url.AbsoluteUri.TrimEnd('/') + "/" + Endpoint.TrimStart('/'));

    /// <summary>The transport these options choose: the given one, else HTTP when a URL is set, else the file; null when off.</summary>
    public ILineageTransport? CreateTransport()
    {
        if (!Enabled)
        {
            return null;
        }

        if (Transport is not null)
        {
            return Transport;
        }

        return EventsUrl is { } url ? new HttpLineageTransport(url, ApiKey, RequestTimeout) : new FileLineageTransport(File!);
    }
}
