using System.Text.Json;
using System.Text.Json.Serialization;
using Channels.Protocol;

namespace Channels;

/// <summary>Settings of the Channels server. Defaults match socket.io's where socket.io has one.</summary>
public sealed class ChannelsOptions
{
    /// <summary>How often the server pings each client. Default 25 s.</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>How long a client has to answer a ping before its session is dead. Default 20 s.</summary>
    public TimeSpan PingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long a new session may go without connecting to a namespace. Default 10 s (socket.io's is
    /// 45 s; a client connects at once, and a session that does not only holds memory).
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The most sessions on this server that have not connected to a namespace yet; past it a new
    /// session is refused (429 on polling, a close on WebSocket). Default 10,000.
    /// </summary>
    public int MaxUnconnectedSessions { get; set; } = 10_000;

    /// <summary>As <see cref="MaxUnconnectedSessions"/>, from one remote address. Default 256.</summary>
    public int MaxUnconnectedSessionsPerAddress { get; set; } = 256;

    /// <summary>
    /// The largest CONNECT payload (socket.io-client's <c>auth</c>) a socket keeps as
    /// <see cref="ChannelSocket.Auth"/>, in bytes; a larger one is refused with CONNECT_ERROR. Default 8 KiB.
    /// </summary>
    public int MaxAuthBytes { get; set; } = 8 * 1024;

    /// <summary>
    /// The largest packet or polling body a client may send, in bytes; larger ones close the session
    /// (WebSocket) or are answered 413 (polling). Default 1,000,000.
    /// </summary>
    public int MaxPayloadBytes { get; set; } = 1_000_000;

    /// <summary>The most binary attachments one packet may announce. Default 10.</summary>
    public int MaxAttachments { get; set; } = 10;

    /// <summary>The most channels one socket may be subscribed to at once. Default 100.</summary>
    public int MaxSubscriptionsPerSocket { get; set; } = 100;

    /// <summary>The longest channel name, in characters. Default 200.</summary>
    public int MaxChannelNameLength { get; set; } = 200;

    /// <summary>
    /// The most sockets tracked in one channel's presence (<see cref="ChannelSocket.TrackAsync{T}"/>), across
    /// servers. Past it a track is refused: an exception for server code, an error ack for a subscribe whose
    /// <c>[OnSubscribe]</c> handler tracked the socket. Default 10,000.
    /// </summary>
    public int MaxPresenceMembersPerChannel { get; set; } = 10_000;

    /// <summary>
    /// The largest presence metadata of one socket in one channel, in bytes of JSON; larger is refused with an
    /// exception. Default 512: with the default member limit, a full channel's presence stays under half of the
    /// default <see cref="MaxOutboundBytes"/>, past which a client's presence request is refused (its answer
    /// would fill the client's queue).
    /// </summary>
    public int MaxPresenceMetaBytes { get; set; } = 512;

    /// <summary>
    /// The most packets waiting to be written to one client. A client that falls this far behind is
    /// disconnected; memory never grows with a slow reader. Default 1,024.
    /// </summary>
    public int MaxOutboundPackets { get; set; } = 1024;

    /// <summary>The most bytes waiting to be written to one client; past it, as <see cref="MaxOutboundPackets"/>. Default 16 MiB.</summary>
    public long MaxOutboundBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// The most received events waiting for their handlers on one connection. When it is full the
    /// server stops reading from that client until handlers catch up. Default 64.
    /// </summary>
    public int MaxPendingEvents { get; set; } = 64;

    /// <summary>
    /// The most bytes (packets and their attachments) of received events waiting for their handlers on one
    /// connection; past it, as <see cref="MaxPendingEvents"/>, the server stops reading from that client
    /// until handlers catch up. One packet larger than this is still taken when nothing waits. Default 4 MiB.
    /// </summary>
    public int MaxPendingEventBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// The most packets a client may send per second on one connection (a burst of one second's worth is
    /// allowed). Past it a packet is refused: an event asking for an ack gets
    /// <c>{"ok":false,"error":"rate limit exceeded"}</c>; a client that keeps sending while refused for
    /// another second's worth is disconnected. Default 10,000.
    /// </summary>
    public int InboundPacketsPerSecond { get; set; } = 10_000;

    /// <summary>As <see cref="InboundPacketsPerSecond"/>, in bytes of packets and attachments. Default 16 MiB.</summary>
    public int InboundBytesPerSecond { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Named limits that handlers opt into with <see cref="OnEventAttribute.RateLimit"/> and
    /// <see cref="OnMessageAttribute.RateLimit"/>, each counted per connection. Every name a handler uses must
    /// be here, or the app fails to start. Empty by default.
    /// </summary>
    public IDictionary<string, EventRateLimit> EventRateLimits { get; } = new Dictionary<string, EventRateLimit>(StringComparer.Ordinal);

    /// <summary>
    /// Whether a client may subscribe to a channel that no <c>[OnSubscribe]</c> handler's pattern matches.
    /// False (the default): channels are denied unless declared, so a client cannot listen to a channel
    /// the app publishes to for someone else. True restores django-socketio's open behaviour: a
    /// subscription succeeds unless a handler refuses it. Subscriptions the server makes
    /// (<see cref="ChannelSocket.SubscribeAsync"/>) need no declaration either way.
    /// </summary>
    public bool AllowUndeclaredChannels { get; set; }

    /// <summary>
    /// Whether a WebSocket on a plaintext HTTP/1.1 Kestrel endpoint is taken from Kestrel's HTTP layer once
    /// its handshake has gone through the application's whole pipeline (middleware, routing, authorization),
    /// and served on the connection's own transport: an idle WebSocket then holds no HTTP connection,
    /// request, response, headers or hosting objects (about half its memory). True by default. Installed
    /// through Kestrel's endpoint defaults: an application that sets its own
    /// <c>KestrelServerOptions.ConfigureEndpointDefaults</c> replaces it, and TLS endpoints are served the
    /// standard way. False serves every WebSocket inside its upgraded HTTP request.
    /// </summary>
    public bool WebSocketHandoff { get; set; } = true;

    /// <summary>
    /// Origins allowed to open a connection from a browser (checked on WebSocket and polling requests
    /// that carry an <c>Origin</c> header; others are answered 403 and logged). Empty: only the server's
    /// own origin. <c>*</c>: any origin. Requests without an <c>Origin</c> header (non-browser clients)
    /// are always allowed. A listed origin also gets CORS on polling with no other setting: its origin
    /// echoed in <c>Access-Control-Allow-Origin</c>, credentials allowed (its pages can open a WebSocket
    /// with the visitor's cookies anyway), preflights answered 204; an origin allowed only by <c>*</c>
    /// gets no credentials. An endpoint with its own CORS policy (<c>MapChannels().RequireCors(…)</c>)
    /// leaves CORS to that policy; this list still decides who may connect.
    /// </summary>
    public IList<string> AllowedOrigins { get; } = [];

    /// <summary>
    /// How payloads are serialized: web defaults (camelCase, names matched without case), except that
    /// numbers are strict: a client's <c>"42"</c> does not bind to an <c>int</c>, as a <c>42</c> does not
    /// bind to a <c>string</c> (set <see cref="JsonSerializerOptions.NumberHandling"/> to allow it). Add the
    /// app's source-generated <c>JsonSerializerContext</c> to
    /// <see cref="JsonSerializerOptions.TypeInfoResolverChain"/> so that payload types resolve under NativeAOT.
    /// </summary>
    public JsonSerializerOptions JsonSerializerOptions { get; } = CreateJsonOptions();

    /// <summary>
    /// The message log: a line per message in and out (<see cref="MessageLogOptions"/>); null, the default,
    /// logs nothing and costs nothing.
    /// </summary>
    public MessageLogOptions? MessageLog { get; set; }

    /// <summary>
    /// Connection-state recovery (<see cref="ConnectionStateRecoveryOptions"/>): a client whose connection drops
    /// gets, when it comes back, the same socket and every event sent meanwhile. Null, the default, turns it
    /// off: a dropped connection ends at once.
    /// </summary>
    public ConnectionStateRecoveryOptions? ConnectionStateRecovery { get; set; }

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { NumberHandling = JsonNumberHandling.Strict };
        options.TypeInfoResolverChain.Add(ChannelsJsonContext.Default);
        return options;
    }
}
