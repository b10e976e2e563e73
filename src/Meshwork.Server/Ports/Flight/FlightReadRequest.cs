using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Apache.Arrow.Flight;
using Google.Protobuf;
using Meshwork.Model;
using Meshwork.Platform.Serving;

namespace Meshwork.Server.Ports.Flight;

/// <summary>
/// What a Flight descriptor or ticket asks to read, before it is the caller's <see cref="ReadRequest"/>: a dataset by
/// its address (a path of one element, or <c>{"dataset": ADDRESS, "purpose", "columns", "limit", "offset"}</c>), or a
/// query (<c>{"sql": "SELECT ...", "purpose"}</c>, or a command that is not JSON, taken as the SQL text). A ticket is
/// this request as JSON, so a client may also write its own tickets and skip GetFlightInfo.
/// </summary>
internal sealed record FlightReadRequest
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        // A misspelt field ("colums") must not silently read every column.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public string? Sql { get; init; }

    public string? Dataset { get; init; }

    public string? Purpose { get; init; }

    public IReadOnlyList<string>? Columns { get; init; }

    public long? Limit { get; init; }

    public long? Offset { get; init; }

    /// <summary>The request a descriptor names: a path of one dataset address, or a command (JSON or SQL text).</summary>
    public static FlightReadRequest FromDescriptor(FlightDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (descriptor.Type == FlightDescriptorType.Path)
        {
            var path = descriptor.Paths.ToList();
            if (path is not [{ } address] || string.IsNullOrWhiteSpace(address))
            {
                throw Bad($"A Flight path names one dataset by its address (domain.product.object_vN); this path has {path.Count} element(s). "
                    + "For a purpose, columns or a query, send a command descriptor: {\"dataset\": \"...\", \"purpose\": \"...\"} or {\"sql\": \"SELECT ...\"}.");
            }

            return new FlightReadRequest { Dataset = address.Trim() };
        }

        return FromText(descriptor.Command, "command");
    }

    /// <summary>The request a ticket carries: the JSON GetFlightInfo put there, or JSON or SQL text a client wrote.</summary>
    public static FlightReadRequest FromTicket(FlightTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        return FromText(ticket.Ticket, "ticket");
    }

    /// <summary>This request as the bytes of a ticket (and of a command descriptor).</summary>
    public ByteString ToBytes() => ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(this, Json));

    /// <summary>The governed reader's request for <paramref name="principal"/> through the Flight port.</summary>
    public ReadRequest For(Principal principal) => Dataset is { } dataset
        ? ReadRequest.Read(principal, ReadChannels.Flight, dataset) with { Purpose = Purpose, Columns = Columns, Limit = Limit, Offset = Offset }
        : ReadRequest.Query(principal, ReadChannels.Flight, Sql ?? string.Empty) with { Purpose = Purpose };

    private static FlightReadRequest FromText(ByteString bytes, string what)
    {
        string text;
        try
        {
            text = Utf8.GetString(bytes.Span).Trim();
        }
        catch (DecoderFallbackException)
        {
            throw Bad($"The Flight {what} is not UTF-8 text: send JSON ({{\"sql\": ...}} or {{\"dataset\": ...}}) or the SQL text.");
        }

        if (text.Length == 0)
        {
            throw Bad($"The Flight {what} is empty: send JSON ({{\"sql\": \"SELECT ...\"}} or {{\"dataset\": \"domain.product.object_vN\"}}) or the SQL text.");
        }

        // Text that opens as JSON is read as JSON, so a broken request is reported as such and never run as SQL.
        return text[0] == '{' ? FromJson(text, what) : new FlightReadRequest { Sql = text };
    }

    private static FlightReadRequest FromJson(string text, string what)
    {
        FlightReadRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<FlightReadRequest>(text, Json);
        }
        catch (JsonException e)
        {
            throw Bad($"The Flight {what} is not a valid request: {e.Message} Its fields are sql or dataset, and purpose, columns, limit, offset.");
        }

        if (request is null || string.IsNullOrWhiteSpace(request.Sql) == string.IsNullOrWhiteSpace(request.Dataset))
        {
            throw Bad($"The Flight {what} names either \"sql\" (a query) or \"dataset\" (an address), exactly one of them.");
        }

        if (request.Sql is not null && (request.Columns is not null || request.Limit is not null || request.Offset is not null))
        {
            throw Bad($"The Flight {what} has columns, limit or offset with \"sql\": those are for a dataset read; say them in the query.");
        }

        return request with { Dataset = request.Dataset?.Trim() };
    }

    private static ServingException Bad(string message) => new(ServingError.BadRequest, message);
}
