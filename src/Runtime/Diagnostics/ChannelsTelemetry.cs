using System.Diagnostics;

namespace Channels.Diagnostics;

/// <summary>
/// The names an application gives OpenTelemetry to collect the runtime's traces and metrics:
/// <c>tracing.AddSource(ChannelsTelemetry.ActivitySourceName)</c> and
/// <c>metrics.AddMeter(ChannelsTelemetry.MeterName)</c>. The tags are described in <c>docs/observability.md</c>.
/// </summary>
public static class ChannelsTelemetry
{
    /// <summary>The <see cref="ActivitySource"/> of the dispatched events, their handlers and cross-server deliveries.</summary>
    public const string ActivitySourceName = "Channels.SDK";

    /// <summary>The meter of the runtime's instruments (connections, messages, bytes, events, handler durations).</summary>
    public const string MeterName = "Channels.SDK";

    /// <summary>The one source of the runtime's activities; it starts none while nothing listens.</summary>
    internal static readonly ActivitySource Source = new(ActivitySourceName, typeof(ChannelsTelemetry).Assembly.GetName().Version?.ToString());
}
