using Microsoft.Extensions.Logging;

namespace Channels.Diagnostics;

/// <summary>The runtime's log lines (source-generated, no allocation when the level is off).</summary>
internal sealed partial class ChannelsLog(ILogger logger)
{
    private readonly ILogger _logger = logger;

    [LoggerMessage(1, LogLevel.Debug, "Session {SessionId} opened on {Transport}")]
    public partial void SessionOpened(string sessionId, string transport);

    [LoggerMessage(2, LogLevel.Debug, "Session {SessionId} closed: {Reason}")]
    public partial void SessionClosed(string sessionId, string reason);

    [LoggerMessage(3, LogLevel.Debug, "Session {SessionId} upgraded to WebSocket")]
    public partial void SessionUpgraded(string sessionId);

    [LoggerMessage(10, LogLevel.Information, "Rejected request: {Reason}")]
    public partial void RequestRejected(string reason);

    [LoggerMessage(11, LogLevel.Information, "Session {SessionId}: invalid request: {Reason}")]
    public partial void InvalidRequest(string sessionId, string reason);

    [LoggerMessage(12, LogLevel.Information, "Session {SessionId}: invalid packet: {Reason}")]
    public partial void InvalidPacket(string sessionId, string reason);

    [LoggerMessage(13, LogLevel.Information, "Session {SessionId}: payload of {Size} bytes is over the limit of {Limit}")]
    public partial void PayloadTooLarge(string sessionId, long size, long limit);

    [LoggerMessage(14, LogLevel.Warning, "Session {SessionId} disconnected: outbound queue full ({Packets} packets, {Bytes} bytes)")]
    public partial void SlowConsumer(string sessionId, int packets, long bytes);

    [LoggerMessage(17, LogLevel.Warning, "Session {SessionId} disconnected: it went on sending past its rate limits")]
    public partial void RateLimited(string sessionId);

    [LoggerMessage(15, LogLevel.Information, "Refused a browser request from origin {Origin}: it is not allowed. To let its pages connect, add it to ChannelsOptions.AllowedOrigins")]
    public partial void OriginRejected(string origin);

    [LoggerMessage(16, LogLevel.Warning, "Refused a new session from {Address}: too many sessions are waiting to connect")]
    public partial void TooManyUnconnected(string address);

    [LoggerMessage(20, LogLevel.Debug, "Socket {SocketId} connected to {Namespace}")]
    public partial void SocketConnected(string socketId, string @namespace);

    [LoggerMessage(21, LogLevel.Debug, "Socket {SocketId} left {Namespace}: {Reason}")]
    public partial void SocketDisconnected(string socketId, string @namespace, string reason);

    [LoggerMessage(22, LogLevel.Information, "Connection to unknown namespace {Namespace} refused")]
    public partial void UnknownNamespace(string @namespace);

    [LoggerMessage(23, LogLevel.Information, "Socket {SocketId}: {Request} refused: {Reason}")]
    public partial void RequestRefused(string socketId, string request, string reason);

    [LoggerMessage(30, LogLevel.Error, "Handler {Handler} failed for socket {SocketId}")]
    public partial void HandlerFailed(Exception exception, string handler, string socketId);

    [LoggerMessage(31, LogLevel.Error, "An [OnError] handler failed for socket {SocketId}")]
    public partial void ErrorHandlerFailed(Exception exception, string socketId);

    [LoggerMessage(32, LogLevel.Error, "The ack of event {Event} (a {Type}) could not be serialized for socket {SocketId}; the client got an error ack. Declare the type with [JsonSerializable] on the app's context in ChannelsOptions.JsonSerializerOptions.TypeInfoResolverChain")]
    public partial void AckNotEncoded(Exception exception, string @event, string type, string socketId);

    [LoggerMessage(41, LogLevel.Warning, "ChannelsOptions.AllowedOrigins contains \"*\": pages of any site may connect with their visitors' cookies (cross-site WebSocket hijacking). List the app's origins instead.")]
    public partial void AnyOriginAllowed();

    [LoggerMessage(42, LogLevel.Warning, "Development: browser connections are accepted from the request's own origin whatever its Host header, which a DNS-rebinding page controls. Set AllowedHosts or ChannelsOptions.AllowedOrigins before deploying.")]
    public partial void AnyHostTrusted();

    [LoggerMessage(43, LogLevel.Warning, "Browser connections from the app's own pages are accepted only on localhost or an IP address until AllowedHosts (not \"*\") or ChannelsOptions.AllowedOrigins names the app's host: the Host header alone can be rebound.")]
    public partial void SameOriginNeedsHosts();

    [LoggerMessage(40, LogLevel.Information, "Shutting down: closing {Count} connections")]
    public partial void ShuttingDown(int count);

    [LoggerMessage(44, LogLevel.Warning, "Shutdown timed out with {Count} connections still closing (a handler of theirs is still running); the host stops without them")]
    public partial void ShutdownTimedOut(int count);

    [LoggerMessage(50, LogLevel.Information, "Admin UI: login refused for socket {SocketId}")]
    public partial void AdminLoginRefused(string socketId);

    [LoggerMessage(51, LogLevel.Information, "Admin UI: socket {SocketId} sent {Command} {Arguments}")]
    public partial void AdminCommand(string socketId, string command, string arguments);

    [LoggerMessage(52, LogLevel.Warning, "Admin UI: sending {Event} to the UI failed")]
    public partial void AdminSendFailed(Exception exception, string @event);

    [LoggerMessage(53, LogLevel.Warning, "Admin UI: command {Command} failed")]
    public partial void AdminCommandFailed(Exception exception, string command);

    [LoggerMessage(60, LogLevel.Debug, "Socket {SocketId} on {Namespace} suspended ({Reason}): it may recover within the window")]
    public partial void SocketSuspended(string socketId, string @namespace, string reason);

    [LoggerMessage(61, LogLevel.Debug, "Socket {SocketId} on {Namespace} recovered with {Missed} missed events")]
    public partial void SocketRecovered(string socketId, string @namespace, int missed);

    [LoggerMessage(62, LogLevel.Debug, "Recovery of socket {SocketId} refused ({Reason}): a fresh session instead")]
    public partial void RecoveryRefused(string socketId, string reason);

    [LoggerMessage(63, LogLevel.Warning, "Recovery: the session store failed ({Operation}); the socket ends as if recovery were off")]
    public partial void RecoveryStoreFailed(Exception exception, string operation);

    [LoggerMessage(64, LogLevel.Error, "Recovery: ending suspended socket {SocketId} failed")]
    public partial void SuspensionEndFailed(Exception exception, string socketId);
}
