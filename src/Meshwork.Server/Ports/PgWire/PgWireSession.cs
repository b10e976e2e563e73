using System.Buffers.Binary;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Meshwork.Model;
using Meshwork.Platform.Serving;
using Meshwork.Platform.Serving.Formats;
using Meshwork.Server.Hosting;

namespace Meshwork.Server.Ports.PgWire;

/// <summary>
/// One PostgreSQL wire protocol connection (protocol 3.0): startup, password authentication with a Meshwork token,
/// then the simple and extended query protocols. Like every port it authenticates and encodes: a SELECT over datasets
/// is the caller's governed read (<see cref="ServedMesh.ReadAsync(ReadRequest, CancellationToken)"/>, channel
/// <c>pgwire</c>, the session's purpose), and the catalog holds only what the caller may read.
/// </summary>
internal sealed partial class PgWireSession(Stream network, ServedMesh served, PlatformTokens tokens, X509Certificate2? certificate, PgWireOptions options,
    int processId, int secret, PgWireListener listener) : IAsyncDisposable
{
    private const int ProtocolVersion3 = 196_608;
    private const int SslRequest = 80_877_103;
    private const int GssEncRequest = 80_877_104;
    private const int CancelRequest = 80_877_102;
    private const int FlushAt = 256 * 1024;

    private readonly PgBuffer _output = new();
    private readonly Dictionary<string, Prepared> _statements = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Portal> _portals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _settings = new(StringComparer.Ordinal)
    {
        ["server_version"] = PgCatalog.ServerVersion,
        ["server_encoding"] = "UTF8",
        ["client_encoding"] = "UTF8",
        ["datestyle"] = "ISO, MDY",
        ["intervalstyle"] = "postgres",
        ["timezone"] = "UTC",
        ["integer_datetimes"] = "on",
        ["standard_conforming_strings"] = "on",
        ["transaction_isolation"] = "read committed",
        ["transaction_read_only"] = "on",
        ["default_transaction_read_only"] = "on",
        ["search_path"] = "public",
        ["max_identifier_length"] = "63",
        ["is_superuser"] = "off",
        ["application_name"] = string.Empty,
        [PurposeSetting] = string.Empty,
    };

    private Stream _stream = network;
    private Principal? _principal;
    private string _database = "mesh";
    private PgCatalog? _catalog;
    private CancellationTokenSource? _statement;
    private CancellationToken _stopping;
    private bool _inTransaction;

    /// <summary>The session's purpose: <c>SET meshwork.purpose = '...'</c> or <c>options=-c meshwork.purpose=...</c> at startup.</summary>
    private string? Purpose => _settings.TryGetValue(PurposeSetting, out var purpose) && purpose.Length > 0 ? purpose : null;

    private const string PurposeSetting = "meshwork.purpose";

    /// <summary>Cancels the statement running now (a CancelRequest, or the server stopping).</summary>
    public void Cancel()
    {
        try
        {
            _statement?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The statement has just ended.
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Portals still open end their reads (and write their audit records) when the connection closes.
        foreach (var portal in _portals.Values)
        {
            await portal.DisposeAsync().ConfigureAwait(false);
        }

        _catalog?.Dispose();
        _statement?.Dispose();
        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    public async Task RunAsync(bool full, CancellationToken stopping)
    {
        using (var startup = CancellationTokenSource.CreateLinkedTokenSource(stopping))
        {
            startup.CancelAfter(options.StartupTimeout);
            if (!await StartAsync(full, startup.Token).ConfigureAwait(false))
            {
                return;
            }
        }

        await ServeMessagesAsync(stopping).ConfigureAwait(false);
    }

    /// <summary>Startup and authentication; false when the connection ends there (refused, cancel request, bad startup).</summary>
    private async Task<bool> StartAsync(bool full, CancellationToken cancellationToken)
    {
        Dictionary<string, string> parameters;
        while (true)
        {
            var length = await ReadInt32Async(cancellationToken).ConfigureAwait(false);
            if (length is < 8 or > 10_000)
            {
                return false;
            }

            var body = await ReadExactlyAsync(length - 4, cancellationToken).ConfigureAwait(false);
            var code = BinaryPrimitives.ReadInt32BigEndian(body);
            if (code == SslRequest)
            {
                if (certificate is null || _stream is SslStream)
                {
                    await _stream.WriteAsync("N"u8.ToArray(), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                await _stream.WriteAsync("S"u8.ToArray(), cancellationToken).ConfigureAwait(false);
                var tls = new SslStream(_stream, leaveInnerStreamOpen: false);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, cancellationToken).ConfigureAwait(false);
                _stream = tls;
                continue;
            }

            if (code == GssEncRequest)
            {
                await _stream.WriteAsync("N"u8.ToArray(), cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (code == CancelRequest && body.Length >= 12)
            {
                listener.CancelSession(BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(4)), BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(8)));
                return false;
            }

            if (code != ProtocolVersion3)
            {
                await FatalAsync("0A000", $"Protocol version {code >> 16}.{code & 0xffff} is not supported; Meshwork speaks the PostgreSQL protocol 3.0.", cancellationToken).ConfigureAwait(false);
                return false;
            }

            parameters = StartupParameters(body.AsSpan(4));
            break;
        }

        if (full)
        {
            await FatalAsync("53300", $"Too many connections: this server accepts {options.MaxConnections} at once; try again when one has closed.", cancellationToken).ConfigureAwait(false);
            return false;
        }

        if (!parameters.TryGetValue("user", out var user) || user.Length == 0)
        {
            await FatalAsync("28000", "No user given: connect as a principal of people.yaml (user=NAME), with its token from 'mesh token NAME' as the password.", cancellationToken).ConfigureAwait(false);
            return false;
        }

        _database = parameters.TryGetValue("database", out var database) && database.Length > 0 ? database : user;
        foreach (var (name, value) in StartupOptions(parameters.GetValueOrDefault("options")).Concat(parameters.Where(p => p.Key is "application_name" or "client_encoding" or "datestyle" or "timezone")))
        {
            _settings[name.ToLowerInvariant()] = value;
        }

        // The password is the principal's token: it is known only to its holder, so only cleartext (over TLS when configured) can carry it.
        _output.Clear();
        var request = _output.StartMessage((byte)'R');
        _output.WriteInt32(3);
        _output.EndMessage(request);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        var (type, password) = await ReadMessageAsync(cancellationToken).ConfigureAwait(false);
        if (type != 'p')
        {
            return false;
        }

        var token = Encoding.UTF8.GetString(password.AsSpan(0, Math.Max(0, password.Length - 1)));
        var id = token.Length == 0 ? null : await tokens.ValidateAsync(token).ConfigureAwait(false);
        if (id is null || id != user)
        {
            await FatalAsync("28P01", id is null
                ? $"Password authentication failed for user \"{user}\": the password must be a valid Meshwork token of '{user}' (mesh token {user}), not expired."
                : $"Password authentication failed for user \"{user}\": the token is '{id}''s, not '{user}''s.", cancellationToken).ConfigureAwait(false);
            return false;
        }

        _principal = await served.FindPrincipalAsync(user, cancellationToken).ConfigureAwait(false);
        if (_principal is null)
        {
            await FatalAsync("28000", $"Role \"{user}\" does not exist: '{user}' is not a principal of people.yaml.", cancellationToken).ConfigureAwait(false);
            return false;
        }

        _output.Clear();
        var ok = _output.StartMessage((byte)'R');
        _output.WriteInt32(0);
        _output.EndMessage(ok);
        foreach (var name in new[] { "server_version", "server_encoding", "client_encoding", "DateStyle", "IntervalStyle", "TimeZone", "integer_datetimes", "standard_conforming_strings", "is_superuser", "application_name", "default_transaction_read_only" })
        {
            ParameterStatus(name, _settings[name.ToLowerInvariant()]);
        }

        ParameterStatus("session_authorization", user);
        var key = _output.StartMessage((byte)'K');
        _output.WriteInt32(processId);
        _output.WriteInt32(secret);
        _output.EndMessage(key);
        ReadyForQuery();
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task ServeMessagesAsync(CancellationToken stopping)
    {
        _stopping = stopping;
        // After an error in the extended protocol, messages are skipped until Sync.
        var skipping = false;
        while (!stopping.IsCancellationRequested)
        {
            var (type, body) = await ReadMessageAsync(stopping).ConfigureAwait(false);
            if (type == 'X')
            {
                return;
            }

            if (skipping && type is not ('S' or 'Q'))
            {
                continue;
            }

            _statement = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            try
            {
                switch (type)
                {
                    case 'Q':
                        skipping = false;
                        await SimpleQueryAsync(CString(body, 0, out _), _statement.Token).ConfigureAwait(false);
                        ReadyForQuery();
                        await FlushAsync(stopping).ConfigureAwait(false);
                        break;
                    case 'P':
                        Parse(body);
                        break;
                    case 'B':
                        await BindAsync(body).ConfigureAwait(false);
                        break;
                    case 'D':
                        await DescribeAsync(body, _statement.Token).ConfigureAwait(false);
                        break;
                    case 'E':
                        await ExecuteAsync(body, _statement.Token).ConfigureAwait(false);
                        break;
                    case 'C':
                        await CloseAsync(body).ConfigureAwait(false);
                        break;
                    case 'S':
                        skipping = false;
                        await ClosePortalAsync(string.Empty).ConfigureAwait(false);
                        ReadyForQuery();
                        await FlushAsync(stopping).ConfigureAwait(false);
                        break;
                    case 'H':
                        await FlushAsync(stopping).ConfigureAwait(false);
                        break;
                    default:
                        throw new PgException("08P01", $"Message type '{type}' is not supported by Meshwork's PostgreSQL port.");
                }
            }
            catch (Exception e) when (Failure(e, stopping) is { } error)
            {
                if (error.Code == InternalError)
                {
                    listener.Failed(e);
                }

                Error(error.Code, error.Message);
                if (type == 'Q')
                {
                    ReadyForQuery();
                }
                else
                {
                    skipping = true;
                }

                await FlushAsync(stopping).ConfigureAwait(false);
            }
            finally
            {
                _statement.Dispose();
                _statement = null;
            }
        }
    }

    /// <summary>The error a client is told for a failed statement; null for failures that end the connection.</summary>
    private static PgException? Failure(Exception e, CancellationToken stopping) => e switch
    {
        PgException pg => pg,
        ServingException serving => new PgException(SqlState(serving.Error), serving.Message, serving),
        OperationCanceledException when !stopping.IsCancellationRequested => new PgException("57014", "The statement was canceled at the client's request."),
        IOException or System.Net.Sockets.SocketException or OperationCanceledException or ObjectDisposedException => null,
        // A fault of the port itself: the client is told, the server logs it, and the connection goes on.
        _ => new PgException(InternalError, $"Meshwork could not answer this statement ({e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}); the server's log has the details."),
    };

    private const string InternalError = "XX000";

    private static string SqlState(ServingError error) => error switch
    {
        ServingError.Forbidden => "42501",
        ServingError.NotFound => "42P01",
        ServingError.BadRequest => "42000",
        ServingError.LimitExceeded => "54000",
        ServingError.TooManyRequests => "53300",
        ServingError.Conflict => "55000",
        _ => "58000",
    };

    private async Task SimpleQueryAsync(string sql, CancellationToken cancellationToken)
    {
        foreach (var statement in PgSql.Split(sql))
        {
            await using var portal = new Portal(statement, []);
            if (PgSql.Classify(statement) == PgStatementKind.Empty)
            {
                var empty = _output.StartMessage((byte)'I');
                _output.EndMessage(empty);
                continue;
            }

            await OpenAsync(portal, cancellationToken).ConfigureAwait(false);
            if (portal.Schema is { } schema)
            {
                RowDescription(schema, portal.Rows!.Binary);
            }

            await RunAsync(portal, 0, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Parse(byte[] body)
    {
        var name = CString(body, 0, out var at);
        var sql = CString(body, at, out at);
        var count = BinaryPrimitives.ReadInt16BigEndian(body.AsSpan(at));
        at += 2;
        var types = new int[count];
        for (var i = 0; i < count; i++, at += 4)
        {
            types[i] = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(at));
        }

        if (PgSql.Split(sql).Count > 1)
        {
            throw new PgException("42601", "A prepared statement holds one statement; send several with the simple query protocol.");
        }

        _statements[name] = new Prepared(sql, types);
        var complete = _output.StartMessage((byte)'1');
        _output.EndMessage(complete);
    }

    private async Task BindAsync(byte[] body)
    {
        var portalName = CString(body, 0, out var at);
        var statementName = CString(body, at, out at);
        var prepared = _statements.GetValueOrDefault(statementName)
            ?? throw new PgException("26000", $"Prepared statement \"{statementName}\" does not exist.");
        var formats = ReadInt16s(body, ref at);
        var count = BinaryPrimitives.ReadInt16BigEndian(body.AsSpan(at));
        at += 2;
        var values = new byte[]?[count];
        for (var i = 0; i < count; i++)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(at));
            at += 4;
            if (length >= 0)
            {
                values[i] = body.AsSpan(at, length).ToArray();
                at += length;
            }
        }

        var resultFormats = ReadInt16s(body, ref at);
        await ClosePortalAsync(portalName).ConfigureAwait(false);

        _portals[portalName] = new Portal(PgSql.Bind(prepared.Sql, prepared.Types, formats, values), resultFormats);
        var complete = _output.StartMessage((byte)'2');
        _output.EndMessage(complete);
    }

    private async Task DescribeAsync(byte[] body, CancellationToken cancellationToken)
    {
        var name = CString(body, 1, out _);
        if (body[0] == 'S')
        {
            var prepared = _statements.GetValueOrDefault(name) ?? throw new PgException("26000", $"Prepared statement \"{name}\" does not exist.");
            var description = _output.StartMessage((byte)'t');
            var count = Math.Max(prepared.Types.Count, PgSql.HighestPlaceholder(prepared.Sql));
            _output.WriteInt16((short)count);
            for (var i = 0; i < count; i++)
            {
                _output.WriteInt32(i < prepared.Types.Count && prepared.Types[i] != 0 ? prepared.Types[i] : PgTypes.Text);
            }

            _output.EndMessage(description);
            // The result's shape, from the statement with its parameters NULL (a read of no rows, on record like any).
            await using var probe = new Portal(PgSql.WithNullParameters(prepared.Sql, prepared.Types.Count), []);
            await OpenAsync(probe, cancellationToken).ConfigureAwait(false);
            WriteDescription(probe);
            return;
        }

        var portal = _portals.GetValueOrDefault(name) ?? throw new PgException("34000", $"Portal \"{name}\" does not exist.");
        await OpenAsync(portal, cancellationToken).ConfigureAwait(false);
        WriteDescription(portal);
    }

    private void WriteDescription(Portal portal)
    {
        if (portal.Schema is { } schema)
        {
            RowDescription(schema, portal.Rows!.Binary);
        }
        else
        {
            var none = _output.StartMessage((byte)'n');
            _output.EndMessage(none);
        }
    }

    private async Task ExecuteAsync(byte[] body, CancellationToken cancellationToken)
    {
        var name = CString(body, 0, out var at);
        var maxRows = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(at));
        var portal = _portals.GetValueOrDefault(name) ?? throw new PgException("34000", $"Portal \"{name}\" does not exist.");
        await OpenAsync(portal, cancellationToken).ConfigureAwait(false);
        await RunAsync(portal, maxRows, cancellationToken).ConfigureAwait(false);
    }

    private async Task CloseAsync(byte[] body)
    {
        var name = CString(body, 1, out _);
        if (body[0] == 'S')
        {
            _statements.Remove(name);
        }
        else
        {
            await ClosePortalAsync(name).ConfigureAwait(false);
        }

        var complete = _output.StartMessage((byte)'3');
        _output.EndMessage(complete);
    }

    private async Task ClosePortalAsync(string name)
    {
        if (_portals.Remove(name, out var portal))
        {
            await portal.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Starts a portal's statement once: a governed read, a catalog query, or a session command (which has no rows).</summary>
    private async Task OpenAsync(Portal portal, CancellationToken cancellationToken)
    {
        if (portal.Opened)
        {
            return;
        }

        portal.Opened = true;
        var sql = portal.Sql;
        switch (PgSql.Classify(sql))
        {
            case PgStatementKind.Empty:
                portal.Tag = string.Empty;
                break;
            case PgStatementKind.Set:
                if (PgSql.ParseSet(sql) is var (name, value))
                {
                    _settings[name] = value;
                }

                portal.Tag = "SET";
                break;
            case PgStatementKind.NoOp:
                portal.Tag = PgSql.NoOpTag(sql);
                _inTransaction = portal.Tag is "BEGIN" or "START TRANSACTION" || (_inTransaction && portal.Tag is not ("COMMIT" or "ROLLBACK"));
                break;
            case PgStatementKind.Show:
                var setting = PgSql.ParseShow(sql);
                var shown = setting == "all" ? null : _settings.GetValueOrDefault(setting)
                    ?? throw new PgException("42704", $"Unrecognized configuration parameter \"{setting}\".");
                portal.Start(Settings(setting, shown));
                portal.Tag = "SHOW";
                break;
            case PgStatementKind.Catalog:
                _catalog ??= PgCatalog.Create(await served.ReadableDatasetsAsync(_principal!, ReadChannels.PgWire, cancellationToken).ConfigureAwait(false),
                    _database, _principal!.Id, processId, _settings);
                portal.Start(_catalog.Query(sql, cancellationToken));
                portal.Tag = "SELECT";
                break;
            case PgStatementKind.Read:
                var request = ReadRequest.Query(_principal!, ReadChannels.PgWire, await AddressesAsync(sql, cancellationToken).ConfigureAwait(false)) with { Purpose = Purpose };
                var result = await served.ReadAsync(request, cancellationToken).ConfigureAwait(false);
                portal.Start(result, await result.StartAsync(cancellationToken).ConfigureAwait(false), cancellationToken);
                portal.Tag = "SELECT";
                break;
            default:
                throw new PgException("25006", "Meshwork serves data read-only: only SELECT (and SET, SHOW, BEGIN/COMMIT) may be sent. Data is published by product pipelines.");
        }
    }

    /// <summary>Streams a portal's rows (at most <paramref name="maxRows"/>, 0 for all), then its CommandComplete or, when rows remain, PortalSuspended.</summary>
    private async Task RunAsync(Portal portal, int maxRows, CancellationToken cancellationToken)
    {
        if (portal.Schema is null)
        {
            var complete = _output.StartMessage((byte)'C');
            _output.WriteCString(portal.Tag);
            _output.EndMessage(complete);
            return;
        }

        var sent = 0L;
        while (maxRows == 0 || sent < maxRows)
        {
            if (portal.Pending is null || portal.PendingAt >= portal.Pending.Length)
            {
                portal.Pending = await portal.NextAsync(cancellationToken).ConfigureAwait(false);
                portal.PendingAt = 0;
                if (portal.Pending is null)
                {
                    break;
                }
            }

            var batch = portal.Pending;
            var take = maxRows == 0 ? batch.Length - portal.PendingAt : (int)Math.Min(batch.Length - portal.PendingAt, maxRows - sent);
            var before = _output.Length;
            portal.Rows!.Write(batch, _output, portal.PendingAt, portal.PendingAt + take);
            portal.Result?.Sent(_output.Length - before);
            portal.PendingAt += take;
            sent += take;
            portal.Total += take;
            if (_output.Length >= FlushAt)
            {
                // Written under the session's token, not the statement's: a cancel stops producing rows (the next batch
                // throws), never a write half done, which would leave a message cut in two on the wire.
                await FlushAsync(_stopping).ConfigureAwait(false);
            }
        }

        if (portal.Pending is not null && (portal.PendingAt < portal.Pending.Length || !portal.Ended))
        {
            var suspended = _output.StartMessage((byte)'s');
            _output.EndMessage(suspended);
            return;
        }

        var done = _output.StartMessage((byte)'C');
        _output.WriteCString($"SELECT {portal.Total}");
        _output.EndMessage(done);
        // Done: the read's permit, session and audit record are given back now, not when the client closes the portal.
        await portal.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// A query as the governed reader reads it: a table named the way the catalog lists it, <c>"customers.profiles"."profiles_v1"</c>
    /// (what BI tools write after browsing it), becomes the dataset's address.
    /// </summary>
    private async Task<string> AddressesAsync(string sql, CancellationToken cancellationToken)
    {
        if (!sql.Contains("\".", StringComparison.Ordinal))
        {
            return sql;
        }

        var readable = (await served.StateAsync(cancellationToken).ConfigureAwait(false)).Specs;
        return CatalogName().Replace(sql, m =>
        {
            var address = $"{m.Groups["schema"].Value}.{m.Groups["table"].Value}";
            return readable.ContainsKey(address) ? string.Join('.', address.Split('.').Select(p => $"\"{p}\"")) : m.Value;
        });
    }

    [GeneratedRegex(@"""(?<schema>[^"".]+\.[^"".]+)""\s*\.\s*""?(?<table>[A-Za-z_][\w]*)""?")]
    private static partial Regex CatalogName();

    /// <summary>SHOW's answer as a one-column result (every setting for SHOW ALL).</summary>
    private OneBatch Settings(string name, string? value)
    {
        var rows = value is null ? _settings.OrderBy(s => s.Key, StringComparer.Ordinal).ToList() : [new(name, value)];
        var names = new StringArray.Builder().AppendRange(rows.Select(r => r.Key)).Build();
        var values = new StringArray.Builder().AppendRange(rows.Select(r => r.Value)).Build();
        var batch = value is null
            ? new RecordBatch(new Apache.Arrow.Schema.Builder().Field(f => f.Name("name").DataType(Apache.Arrow.Types.StringType.Default)).Field(f => f.Name("setting").DataType(Apache.Arrow.Types.StringType.Default)).Build(), [names, values], rows.Count)
            : new RecordBatch(new Apache.Arrow.Schema.Builder().Field(f => f.Name(name).DataType(Apache.Arrow.Types.StringType.Default)).Build(), [values], rows.Count);
        return new OneBatch(batch);
    }

    private void RowDescription(Apache.Arrow.Schema schema, IReadOnlyList<bool> binary)
    {
        var description = _output.StartMessage((byte)'T');
        var columns = PgRows.Describe(schema);
        _output.WriteInt16((short)columns.Count);
        for (var i = 0; i < columns.Count; i++)
        {
            _output.WriteCString(columns[i].Name);
            _output.WriteInt32(0);
            _output.WriteInt16(0);
            _output.WriteInt32(columns[i].TypeOid);
            _output.WriteInt16(columns[i].TypeLength);
            _output.WriteInt32(-1);
            _output.WriteInt16(binary[i] ? (short)1 : (short)0);
        }

        _output.EndMessage(description);
    }

    private void ParameterStatus(string name, string value)
    {
        var status = _output.StartMessage((byte)'S');
        _output.WriteCString(name);
        _output.WriteCString(value);
        _output.EndMessage(status);
    }

    private void ReadyForQuery()
    {
        var ready = _output.StartMessage((byte)'Z');
        _output.WriteByte(_inTransaction ? (byte)'T' : (byte)'I');
        _output.EndMessage(ready);
    }

    private void Error(string code, string message, string severity = "ERROR")
    {
        var error = _output.StartMessage((byte)'E');
        foreach (var (field, value) in new[] { ('S', severity), ('V', severity), ('C', code), ('M', message) })
        {
            _output.WriteByte((byte)field);
            _output.WriteCString(value);
        }

        _output.WriteByte(0);
        _output.EndMessage(error);
    }

    private async Task FatalAsync(string code, string message, CancellationToken cancellationToken)
    {
        _output.Clear();
        Error(code, message, "FATAL");
        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_output.Length > 0)
        {
            try
            {
                await _stream.WriteAsync(_output.Written, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // Sent or not, never sent again: a write that failed part-way ends the connection.
                _output.Clear();
            }
        }

        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<(char Type, byte[] Body)> ReadMessageAsync(CancellationToken cancellationToken)
    {
        var header = await ReadExactlyAsync(5, cancellationToken).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1));
        if (length < 4 || length > 64 * 1024 * 1024)
        {
            throw new IOException($"A message of {length} bytes: not the PostgreSQL protocol.");
        }

        return ((char)header[0], await ReadExactlyAsync(length - 4, cancellationToken).ConfigureAwait(false));
    }

    private async Task<int> ReadInt32Async(CancellationToken cancellationToken) =>
        BinaryPrimitives.ReadInt32BigEndian(await ReadExactlyAsync(4, cancellationToken).ConfigureAwait(false));

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        await _stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer;
    }

    private static string CString(byte[] body, int start, out int next)
    {
        var end = System.Array.IndexOf(body, (byte)0, start);
        if (end < 0)
        {
            throw new PgException("08P01", "A message's string is not terminated.");
        }

        next = end + 1;
        return Encoding.UTF8.GetString(body, start, end - start);
    }

    private static short[] ReadInt16s(byte[] body, ref int at)
    {
        var count = BinaryPrimitives.ReadInt16BigEndian(body.AsSpan(at));
        at += 2;
        var values = new short[count];
        for (var i = 0; i < count; i++, at += 2)
        {
            values[i] = BinaryPrimitives.ReadInt16BigEndian(body.AsSpan(at));
        }

        return values;
    }

    private static Dictionary<string, string> StartupParameters(ReadOnlySpan<byte> body)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        var bytes = body.ToArray();
        var at = 0;
        while (at < bytes.Length && bytes[at] != 0)
        {
            var name = CString(bytes, at, out at);
            parameters[name] = CString(bytes, at, out at);
        }

        return parameters;
    }

    /// <summary>Settings in the startup's <c>options</c> (<c>-c name=value</c> or <c>--name=value</c>), as libpq sends them.</summary>
    private static IEnumerable<KeyValuePair<string, string>> StartupOptions(string? text)
    {
        foreach (Match match in StartupOption().Matches(text ?? string.Empty))
        {
            yield return new(match.Groups["name"].Value, match.Groups["value"].Value.Replace("\\ ", " ", StringComparison.Ordinal));
        }
    }

    [GeneratedRegex(@"(?:-c\s*|--)(?<name>[A-Za-z_][\w.]*)=(?<value>(?:\\\s|\S)*)")]
    private static partial Regex StartupOption();

    private sealed record Prepared(string Sql, IReadOnlyList<int> Types);

    /// <summary>A bound statement and, once started, its result: a governed read, or a catalog or SHOW answer.</summary>
    private sealed class Portal(string sql, IReadOnlyList<short> formats) : IAsyncDisposable
    {
        private IAsyncEnumerator<RecordBatch>? _batches;
        private IArrowArrayStream? _stream;
        private RecordBatch? _owned;
        private bool _disposed;

        public string Sql { get; } = sql;

        public bool Opened { get; set; }

        public string Tag { get; set; } = string.Empty;

        public Apache.Arrow.Schema? Schema { get; private set; }

        public PgRows? Rows { get; private set; }

        public GovernedResult? Result { get; private set; }

        public RecordBatch? Pending { get; set; }

        public int PendingAt { get; set; }

        public long Total { get; set; }

        public bool Ended { get; private set; }

        public void Start(GovernedResult result, Apache.Arrow.Schema schema, CancellationToken cancellationToken)
        {
            Result = result;
            Schema = schema;
            Rows = new PgRows(schema, formats);
            _batches = result.ReadAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        }

        /// <summary>Starts a catalog or SHOW answer, its columns named as PostgreSQL names them.</summary>
        public void Start(IArrowArrayStream stream)
        {
            _stream = stream;
            Schema = new Apache.Arrow.Schema(stream.Schema.FieldsList.Select(f => new Field(PgCatalog.ColumnName(f.Name), f.DataType, f.IsNullable)), stream.Schema.Metadata);
            Rows = new PgRows(Schema, formats);
        }

        /// <summary>The next batch, or null at the end. A governed read frees each of its batches itself when the next is asked for; a catalog's are freed here.</summary>
        public async Task<RecordBatch?> NextAsync(CancellationToken cancellationToken)
        {
            RecordBatch? next;
            if (_batches is not null)
            {
                next = await _batches.MoveNextAsync().ConfigureAwait(false) ? _batches.Current : null;
            }
            else
            {
                _owned?.Dispose();
                next = _owned = await _stream!.ReadNextRecordBatchAsync(cancellationToken).ConfigureAwait(false);
            }

            Ended = next is null;
            return next;
        }

        public async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _owned?.Dispose();
            if (_batches is not null)
            {
                await _batches.DisposeAsync().ConfigureAwait(false);
            }

            _stream?.Dispose();
            if (Result is not null)
            {
                await Result.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>A result of one batch made here (SHOW).</summary>
    private sealed class OneBatch(RecordBatch batch) : IArrowArrayStream
    {
        private RecordBatch? _next = batch;

        public Apache.Arrow.Schema Schema { get; } = batch.Schema;

        public ValueTask<RecordBatch?> ReadNextRecordBatchAsync(CancellationToken cancellationToken = default)
        {
            var next = _next;
            _next = null;
            return ValueTask.FromResult(next);
        }

        public void Dispose() => _next?.Dispose();
    }
}
