using Microsoft.Extensions.Logging;

namespace Channels.Diagnostics;

/// <summary>The log lines of presence.</summary>
internal sealed partial class ChannelsLog
{
    [LoggerMessage(60, LogLevel.Information, "Socket {SocketId} not tracked: {Reason}")]
    public partial void PresenceFull(string socketId, string reason);

    [LoggerMessage(61, LogLevel.Warning, "Socket {SocketId}: its presence leave could not be stored or published")]
    public partial void PresenceLeaveFailed(Exception exception, string socketId);
}
