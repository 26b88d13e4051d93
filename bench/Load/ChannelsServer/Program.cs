// The Channels server the load harness drives: a publish to a channel is relayed to its other subscribers.
using Channels;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
// The message log on (--env Bench__MessageLog=on): every line rendered, then dropped, so the measure is the
// runtime's cost and not a console's.
var messageLog = builder.Configuration["Bench:MessageLog"] == "on";
if (messageLog)
{
    builder.Logging.AddProvider(new DroppingLoggerProvider());
    builder.Logging.AddFilter("Channels.Messages", LogLevel.Information);
    Console.Error.WriteLine("bench server: message log on (lines rendered and dropped)");
}

var channels = builder.Services.AddChannels(o =>
{
    o.MaxOutboundPackets = 8192;
    o.MessageLog = messageLog ? new MessageLogOptions() : null;

    // Connection-state recovery on (--env Bench__Recovery=on, or the harness's --recovery): offsets on every event, the replay log.
    o.ConnectionStateRecovery = builder.Configuration["Bench:Recovery"] == "on" ? new ConnectionStateRecoveryOptions() : null;

    // WebSockets served inside their upgraded requests (--env Bench__Handoff=off), to measure that path.
    o.WebSocketHandoff = builder.Configuration["Bench:Handoff"] != "off";

    // Every load client comes from 127.0.0.1 and a connect storm opens a thousand sessions at once.
    o.MaxUnconnectedSessionsPerAddress = o.MaxUnconnectedSessions;
});
if (builder.Configuration.GetConnectionString("Redis") is { Length: > 0 } redis)
{
    channels.AddRedisBackplane(redis);
}

// Tracing on (--env Bench__Tracing=on): every activity of Channels.SDK sampled with all its data and every
// tagged instrument enabled, as an OpenTelemetry SDK that samples everything would ask; what exporting
// costs is the exporter's business and is left out. Off (the default) nothing listens.
using var tracing = builder.Configuration["Bench:Tracing"] == "on" ? Listen() : null;

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

static IDisposable Listen()
{
    var activities = new System.Diagnostics.ActivityListener
    {
        ShouldListenTo = static source => source.Name == Channels.Diagnostics.ChannelsTelemetry.ActivitySourceName,
        Sample = static (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
        ActivityStopped = static _ => { },
    };
    System.Diagnostics.ActivitySource.AddActivityListener(activities);
    var meters = new System.Diagnostics.Metrics.MeterListener
    {
        InstrumentPublished = static (instrument, listener) =>
        {
            if (instrument.Meter.Name == Channels.Diagnostics.ChannelsTelemetry.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        },
    };
    meters.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
    meters.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
    meters.Start();
    Console.Error.WriteLine("bench server: tracing on (every Channels.SDK activity sampled, every instrument enabled)");
    return new Listeners(activities, meters);
}

/// <summary>The bench's listeners, stopped together when the server ends.</summary>
internal sealed class Listeners(System.Diagnostics.ActivityListener activities, System.Diagnostics.Metrics.MeterListener meters) : IDisposable
{
    public void Dispose()
    {
        activities.Dispose();
        meters.Dispose();
    }
}

/// <summary>Opens every channel, and relays every message published to a channel to the channel's other subscribers.</summary>
public static partial class RelayHandlers
{
    [OnSubscribe]
    public static bool Open() => true;

    [OnMessage]
    public static ValueTask Relay(ChannelSocket socket, System.Text.Json.JsonElement message, string? channel) =>
        channel is null ? ValueTask.CompletedTask : socket.BroadcastChannelAsync(message, channel);
}

/// <summary>Presence churn (bench/Load/PresenceChurn.cs): a subscriber of a <c>presence-</c> channel is tracked in it.</summary>
public static partial class PresenceHandlers
{
    [OnSubscribe("^presence-")]
    public static ValueTask Track(ChannelSocket socket, string channel) =>
        socket.TrackAsync(channel, new Dictionary<string, string> { ["id"] = socket.Id });
}

/// <summary>The peer of presence churn: joins and leaves of an <c>announce-</c> channel announced with plain broadcasts, nothing kept.</summary>
public static partial class AnnounceHandlers
{
    [OnSubscribe("^announce-")]
    public static ValueTask Joined(ChannelSocket socket, string channel) =>
        socket.Others.Channel(channel).SendAsync(new Dictionary<string, string> { ["joined"] = socket.Id });

    [OnUnsubscribe("^announce-")]
    public static ValueTask Left(ChannelSocket socket, string channel) =>
        socket.Others.Channel(channel).SendAsync(new Dictionary<string, string> { ["left"] = socket.Id });
}

/// <summary>Renders every line it is given (as a real sink would) and keeps none of them.</summary>
internal sealed class DroppingLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Dropping();

    public void Dispose()
    {
    }

    private sealed class Dropping : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            GC.KeepAlive(formatter(state, exception));
    }
}
