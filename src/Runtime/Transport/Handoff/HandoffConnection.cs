using System.IO.Pipelines;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Channels.Transport.Handoff;

/// <summary>
/// A Kestrel connection as its HTTP layer sees it, able to be taken from that layer once a WebSocket
/// handshake has gone through the whole ASP.NET Core pipeline (middleware, routing, authorization): the
/// <c>101</c> is written by Kestrel, then the HTTP layer is cut off from the transport (<see cref="DetachablePipe"/>)
/// and ends as it does after any upgraded request, and the WebSocket runs on the connection's own pipe
/// (<see cref="WebSocketHandoff"/> runs it). An idle WebSocket then holds no HTTP/1.1 connection, request,
/// response, headers or hosting objects. Only plaintext HTTP/1.1: if anything replaced the transport (TLS),
/// <see cref="CanTakeOver"/> says no and the WebSocket is served in place.
/// </summary>
internal sealed class HandoffConnection : ConnectionContext
{
    private const string WebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private readonly ConnectionContext _inner;
    private readonly DetachablePipe _pipe;
    private readonly HeartbeatRelay _heartbeat;
    private readonly FeatureCollection _features;
    private Func<Task>? _continuation;
    private volatile bool _detached;

    public HandoffConnection(ConnectionContext inner)
    {
        _inner = inner;
        _pipe = new DetachablePipe(inner.Transport);
        _heartbeat = new HeartbeatRelay(inner.Features.Get<IConnectionHeartbeatFeature>());
        _features = new FeatureCollection(inner.Features);
        _features.Set<IConnectionHeartbeatFeature>(_heartbeat);
        _features.Set(this);
        Transport = _pipe;
    }

    public override string ConnectionId
    {
        get => _inner.ConnectionId;
        set => _inner.ConnectionId = value;
    }

    public override IFeatureCollection Features => _features;

    public override IDictionary<object, object?> Items
    {
        get => _inner.Items;
        set => _inner.Items = value;
    }

    public override IDuplexPipe Transport { get; set; }

    public override CancellationToken ConnectionClosed
    {
        get => _inner.ConnectionClosed;
        set => _inner.ConnectionClosed = value;
    }

    public override EndPoint? LocalEndPoint
    {
        get => _inner.LocalEndPoint;
        set => _inner.LocalEndPoint = value;
    }

    public override EndPoint? RemoteEndPoint
    {
        get => _inner.RemoteEndPoint;
        set => _inner.RemoteEndPoint = value;
    }

    /// <summary>
    /// Whether this connection can be taken for <paramref name="http"/>: still the HTTP layer's, its transport
    /// not replaced (as TLS does), HTTP/1.1 and upgradable. Otherwise the WebSocket is accepted in place.
    /// </summary>
    public bool CanTakeOver(HttpContext http) =>
        !_detached && ReferenceEquals(Transport, _pipe) && HttpProtocol.IsHttp11(http.Request.Protocol)
        && http.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true };

    /// <summary>
    /// Answers the WebSocket handshake of <paramref name="http"/> with a <c>101</c> (written by Kestrel) and
    /// takes the connection: returns the real connection, whose transport is now the WebSocket's. Only after <see cref="CanTakeOver"/>; the caller
    /// checked that the request is a valid WebSocket handshake.
    /// </summary>
    public async Task<ConnectionContext> TakeOverAsync(HttpContext http)
    {
        var upgrade = http.Features.Get<IHttpUpgradeFeature>()!;
        var headers = http.Response.Headers;
        headers.Connection = "Upgrade";
        headers.Upgrade = "websocket";
        headers.SecWebSocketAccept = AcceptKey(http.Request.Headers.SecWebSocketKey.ToString());
        await upgrade.UpgradeAsync();

        // Kestrel has written and flushed the 101 and now waits for the request to end: from here on the
        // HTTP layer reads an ended stream, writes into nothing, and its heartbeat and aborts stop here.
        _detached = true;
        _pipe.Detach();
        _heartbeat.Forget();
        return _inner;
    }

    /// <summary>Sets what runs the WebSocket after the HTTP layer has ended (at most once).</summary>
    public void Continue(Func<Task> continuation) => _continuation = continuation;

    /// <summary>Takes what runs the WebSocket, leaving nothing here to keep alive.</summary>
    public Func<Task>? TakeContinuation()
    {
        var continuation = _continuation;
        _continuation = null;
        return continuation;
    }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        if (!_detached)
        {
            _inner.Abort(abortReason);
        }
    }

    public override void Abort()
    {
        if (!_detached)
        {
            _inner.Abort();
        }
    }

    /// <summary>The real connection is Kestrel's to dispose, after <see cref="WebSocketHandoff"/> returns.</summary>
    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The handshake's answer to a client's key (RFC 6455, 4.2.2).</summary>
    internal static string AcceptKey(string key)
    {
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(Encoding.ASCII.GetBytes(key + WebSocketGuid), hash);
        return Convert.ToBase64String(hash);
    }
}
