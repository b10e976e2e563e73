using Meshwork.Model;

namespace Meshwork.Platform.Serving;

/// <summary>
/// One read as a port hands it to the governed reader (<see cref="ServedMesh.ReadAsync(ReadRequest, CancellationToken)"/>):
/// who reads, through which port, for what, and what: a SQL query over dataset addresses, or one dataset's rows.
/// The port only authenticates the caller and maps its protocol's request to this; every decision is the reader's.
/// </summary>
public sealed record ReadRequest
{
    private ReadRequest(Principal principal, string channel)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentException.ThrowIfNullOrWhiteSpace(channel);
        Principal = principal;
        Channel = channel;
    }

    public Principal Principal { get; }

    /// <summary>The port the read comes through (<see cref="ReadChannels"/>), which policies see as <c>request.channel</c>.</summary>
    public string Channel { get; }

    /// <summary>What the data is used for; reads under an agreement state a purpose it covers.</summary>
    public string? Purpose { get; init; }

    /// <summary>A consumer's SELECT over datasets named by their address; null for a dataset read.</summary>
    public string? Sql { get; private init; }

    /// <summary>The address of the dataset read; null for a query.</summary>
    public string? Dataset { get; private init; }

    /// <summary>The columns of a dataset read (all the plan allows when empty).</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>A dataset read's page: at most this many rows…</summary>
    public long? Limit { get; init; }

    /// <summary>…after skipping this many.</summary>
    public long? Offset { get; init; }

    /// <summary>Limits the port asks for; each can only lower the server's own (<see cref="ServeOptions"/>).</summary>
    public ReadLimits Limits { get; init; } = ReadLimits.None;

    /// <summary>A query: one SELECT over datasets named by their address (domain.product.object_vN).</summary>
    public static ReadRequest Query(Principal principal, string channel, string sql) => new(principal, channel) { Sql = sql ?? string.Empty };

    /// <summary>A dataset's rows.</summary>
    public static ReadRequest Read(Principal principal, string channel, string address)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        return new(principal, channel) { Dataset = address };
    }
}

/// <summary>
/// Limits of one read asked for by its port. <see cref="MaxRows"/>, <see cref="MaxBytes"/> and <see cref="Timeout"/>
/// fail a read that goes past them, as the server's own limits do; <see cref="FirstRows"/> cuts it instead (the rest
/// is not read, and the result says it was cut), for a caller that wants a sample, such as an agent.
/// </summary>
public sealed record ReadLimits(long? MaxRows = null, long? MaxBytes = null, TimeSpan? Timeout = null, long? FirstRows = null)
{
    public static ReadLimits None { get; } = new();
}
