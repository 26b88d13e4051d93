using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Channels.Diagnostics;
using Channels.Protocol;

namespace Channels.Transport;

/// <summary>
/// The Engine.IO v4 endpoint: validates the handshake query, opens sessions on either transport,
/// routes later requests by sid, and keeps the table of live sessions.
/// </summary>
internal sealed class EngineServer
{
    private readonly ConcurrentDictionary<string, EngineSession> _sessions = new(StringComparer.Ordinal);
    private readonly Func<EngineSession, HttpContext, IEngineHandler> _createHandler;
    private readonly Dictionary<string, int> _unconnectedByAddress = new(StringComparer.Ordinal);
    private int _unconnected;

    public EngineServer(ChannelsOptions options, ChannelsLog log, ChannelsMetrics metrics, TimeProvider time, OriginPolicy origins, Func<EngineSession, HttpContext, IEngineHandler> createHandler)
    {
        Options = options;
        Origins = origins;
        Log = log;
        Metrics = metrics;
        Time = time;
        Heartbeats = new HeartbeatScheduler(time);
        _createHandler = createHandler;
    }

    public ChannelsOptions Options { get; }

    public TimeProvider Time { get; }

    /// <summary>Every session's pings and ping timeouts, on one timer.</summary>
    public HeartbeatScheduler Heartbeats { get; }

    public OriginPolicy Origins { get; }

    public ChannelsLog Log { get; }

    public ChannelsMetrics Metrics { get; }

    public int SessionCount => _sessions.Count;

    /// <summary>How many open sessions have queued more than <paramref name="fraction"/> of their outbound bound (frames or bytes).</summary>
    public int CountSessionsNear(double fraction)
    {
        var (frames, bytes) = (Options.MaxOutboundPackets * fraction, Options.MaxOutboundBytes * fraction);
        var count = 0;
        foreach (var session in _sessions.Values)
        {
            var (queuedFrames, queuedBytes) = session.Outbound.Queued;
            if (!session.IsClosed && (queuedFrames > frames || queuedBytes > bytes))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>The sessions still on long-polling (walks the table: for statistics, not for hot paths).</summary>
    public int PollingSessionCount => _sessions.Values.Count(static s => s.IsPolling);

    /// <summary>
    /// One request to the endpoint. Not itself async: each outcome returns the task that serves it, so that
    /// a WebSocket served for hours is not also awaited by a state machine here.
    /// </summary>
    public Task HandleAsync(HttpContext http)
    {
        // A polling body is client-chosen text: no browser may guess it is anything else.
        http.Response.Headers.XContentTypeOptions = "nosniff";
        var origin = Origins.Judge(http.Request);
        if (CrossOrigin.Applies(http, origin))
        {
            // Before any other check, as socket.io's cors middleware: a preflight is answered on its own,
            // and an error answer stays readable by the page.
            if (CrossOrigin.IsPreflight(http.Request))
            {
                return AnswerPreflightAsync(http, origin);
            }

            CrossOrigin.AddHeaders(http, origin);
        }

        var query = http.Request.Query;
        if (query["EIO"] != "4")
        {
            return RejectAsync(http, EngineErrorCode.UnsupportedProtocolVersion, "Unsupported protocol version");
        }

        var transport = query["transport"].ToString() switch
        {
            "polling" => EngineTransportKind.Polling,
            "websocket" => EngineTransportKind.WebSocket,
            _ => (EngineTransportKind?)null,
        };
        if (transport is null || (transport == EngineTransportKind.WebSocket) != http.WebSockets.IsWebSocketRequest)
        {
            return RejectAsync(http, EngineErrorCode.UnknownTransport, "Transport unknown");
        }

        if (origin == OriginVerdict.Refused)
        {
            return RejectOriginAsync(http);
        }

        var sid = query["sid"].ToString();
        if (sid.Length == 0)
        {
            return OpenAsync(http, transport.Value);
        }

        if (!_sessions.TryGetValue(sid, out var session) || (session.IsClosed && session.Polling is not { OwesFarewell: true }))
        {
            return RejectOrCloseAsync(http, EngineErrorCode.UnknownSid, "Session ID unknown");
        }

        if (session.IsPingOverdue)
        {
            session.Abort(EngineCloseReason.PingTimeout);
            return RejectOrCloseAsync(http, EngineErrorCode.UnknownSid, "Session ID unknown");
        }

        if (transport == EngineTransportKind.WebSocket)
        {
            return session.TryBeginUpgrade()
                ? WebSocketTransport.ServeAsync(this, http, session, session.RemoteAddress)
                : RejectOrCloseAsync(http, EngineErrorCode.BadRequest, "Session cannot be upgraded");
        }

        if (session.Polling is not { } polling)
        {
            return RejectAsync(http, EngineErrorCode.BadRequest, "Session is not polling");
        }

        if (HttpMethods.IsGet(http.Request.Method))
        {
            return polling.PollAsync(http);
        }

        return HttpMethods.IsPost(http.Request.Method)
            ? polling.PostAsync(http)
            : RejectAsync(http, EngineErrorCode.BadRequest, "Bad request method");
    }

    /// <summary>A browser's preflight: 204 with the CORS headers for an allowed origin, 403 for a refused one.</summary>
    private Task AnswerPreflightAsync(HttpContext http, OriginVerdict origin)
    {
        CrossOrigin.AddHeaders(http, origin);
        if (origin == OriginVerdict.Refused)
        {
            return RejectOriginAsync(http);
        }

        CrossOrigin.AnswerPreflight(http);
        return Task.CompletedTask;
    }

    private Task RejectOriginAsync(HttpContext http)
    {
        Log.OriginRejected(ClientText.Excerpt(http.Request.Headers.Origin.ToString()));
        return RejectAsync(http, EngineErrorCode.Forbidden, "Origin not allowed", StatusCodes.Status403Forbidden);
    }

    private Task OpenAsync(HttpContext http, EngineTransportKind transport)
    {
        if (transport == EngineTransportKind.Polling && !HttpMethods.IsGet(http.Request.Method))
        {
            return RejectAsync(http, EngineErrorCode.BadHandshakeMethod, "Bad handshake method");
        }

        var address = http.Connection.RemoteIpAddress?.ToString() ?? string.Empty;
        if (!TryReserveUnconnected(address))
        {
            Log.TooManyUnconnected(address);
            return RejectOrCloseAsync(http, EngineErrorCode.BadRequest, "Too many sessions waiting to connect", StatusCodes.Status429TooManyRequests);
        }

        if (transport == EngineTransportKind.WebSocket)
        {
            return WebSocketTransport.ServeAsync(this, http, upgrading: null, address);
        }

        var session = Open(http, transport, address);
        var open = OpenPacket(session.Id, polling: true);
        http.Response.ContentType = "text/plain; charset=UTF-8";
        http.Response.ContentLength = open.Length;
        return http.Response.Body.WriteAsync(open).AsTask();
    }

    /// <summary>A new session in the table, its heartbeat started; the address's unconnected reservation is released if it cannot be made.</summary>
    internal EngineSession Open(HttpContext http, EngineTransportKind transport, string address)
    {
        EngineSession session;
        try
        {
            session = new EngineSession(this, NewId(), transport, address, session => _createHandler(session, http));
        }
        catch
        {
            ReleaseUnconnected(address);
            throw;
        }

        _sessions[session.Id] = session;
        Metrics.Opened();
        Log.SessionOpened(session.Id, session.Transport == EngineTransportKind.Polling ? "polling" : "websocket");
        session.Start();
        return session;
    }

    /// <summary>Counts a new session against the caps on unconnected sessions; false when one is full.</summary>
    private bool TryReserveUnconnected(string address)
    {
        lock (_unconnectedByAddress)
        {
            var fromAddress = _unconnectedByAddress.GetValueOrDefault(address);
            if (_unconnected >= Options.MaxUnconnectedSessions || fromAddress >= Options.MaxUnconnectedSessionsPerAddress)
            {
                return false;
            }

            _unconnected++;
            _unconnectedByAddress[address] = fromAddress + 1;
            return true;
        }
    }

    /// <summary>A session connected a namespace, or ended: it no longer counts as unconnected.</summary>
    public void ReleaseUnconnected(EngineSession session) => ReleaseUnconnected(session.RemoteAddress);

    internal void ReleaseUnconnected(string address)
    {
        lock (_unconnectedByAddress)
        {
            _unconnected--;
            if (_unconnectedByAddress.GetValueOrDefault(address) <= 1)
            {
                _unconnectedByAddress.Remove(address);
            }
            else
            {
                _unconnectedByAddress[address]--;
            }
        }
    }

    public void Remove(EngineSession session)
    {
        if (_sessions.TryRemove(new KeyValuePair<string, EngineSession>(session.Id, session)))
        {
            Metrics.Closed();
        }
    }

    internal byte[] OpenPacket(string sid, bool polling)
    {
        var upgrades = polling ? "[\"websocket\"]" : "[]";
        return Encoding.UTF8.GetBytes(
            $"0{{\"sid\":\"{sid}\",\"upgrades\":{upgrades},\"pingInterval\":{(long)Options.PingInterval.TotalMilliseconds},\"pingTimeout\":{(long)Options.PingTimeout.TotalMilliseconds},\"maxPayload\":{Options.MaxPayloadBytes}}}");
    }

    /// <summary>A new session or socket id: 120 random bits, URL-safe.</summary>
    public static string NewId()
    {
        Span<byte> bytes = stackalloc byte[15];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_');
    }

    /// <summary>
    /// Refuses a request. A WebSocket request is accepted and closed at once, as the reference
    /// server does, so clients see a close rather than a failed handshake.
    /// </summary>
    private async Task RejectOrCloseAsync(HttpContext http, EngineErrorCode code, string reason, int status = StatusCodes.Status400BadRequest)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            Log.RequestRejected(reason);
            await RejectAsync(http, code, reason, status);
            return;
        }

        Log.RequestRejected(reason);
        using var socket = new ManagedWebSocketLink(await http.WebSockets.AcceptWebSocketAsync(), corked: null, maxMessageBytes: 0);
        await WebSocketTransport.CloseQuietlyAsync(socket, System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, reason);
    }

    /// <summary>Answers with the reference server's JSON error body.</summary>
    public static Task RejectAsync(HttpContext http, EngineErrorCode code, string message, int status = StatusCodes.Status400BadRequest)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        var body = Encoding.UTF8.GetBytes($"{{\"code\":{(int)code},\"message\":{System.Text.Json.JsonSerializer.Serialize(message, ChannelsJsonContext.Default.String)}}}");
        return http.Response.Body.WriteAsync(body).AsTask();
    }
}
