// The Channels server the load harness drives: a publish to a channel is relayed to its other subscribers.
using Channels;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var channels = builder.Services.AddChannels(o =>
{
    o.MaxOutboundPackets = 8192;

    // Every load client comes from 127.0.0.1 and a connect storm opens a thousand sessions at once.
    o.MaxUnconnectedSessionsPerAddress = o.MaxUnconnectedSessions;
});
if (builder.Configuration.GetConnectionString("Redis") is { Length: > 0 } redis)
{
    channels.AddRedisBackplane(redis);
}

var app = builder.Build();
app.MapChannels();

// For the idle-memory scenario: a full, compacting collection that gives free memory back to the OS, so
// that resident memory is what connections hold rather than garbage not yet collected.
app.Map("/bench/gc", static context =>
{
    GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    return Task.CompletedTask;
});
app.Run();

/// <summary>Opens every channel, and relays every message published to a channel to the channel's other subscribers.</summary>
public static partial class RelayHandlers
{
    [OnSubscribe]
    public static bool Open() => true;

    [OnMessage]
    public static ValueTask Relay(ChannelSocket socket, System.Text.Json.JsonElement message, string? channel) =>
        channel is null ? ValueTask.CompletedTask : socket.BroadcastChannelAsync(message, channel);
}
