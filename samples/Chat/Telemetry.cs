using Channels.Diagnostics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Channels.Samples.Chat;

/// <summary>
/// Traces and metrics of the chat with OpenTelemetry, exported where configuration says:
/// <c>OpenTelemetry:Exporter</c> = <c>console</c> (stdout, for a look), <c>otlp</c> (to a collector at
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, http://localhost:4317 by default) or <c>none</c> (the default:
/// nothing listens, and the runtime starts no activity). See docs/observability.md.
/// </summary>
internal static class Telemetry
{
    public static void AddChatTelemetry(this WebApplicationBuilder builder)
    {
        var exporter = builder.Configuration["OpenTelemetry:Exporter"]?.Trim().ToLowerInvariant();
        if (exporter is null or "" or "none")
        {
            return;
        }

        if (exporter is not ("console" or "otlp"))
        {
            throw new InvalidOperationException($"OpenTelemetry:Exporter is '{exporter}'; use console, otlp or none.");
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Environment.ApplicationName))
            .WithTracing(tracing =>
            {
                tracing.AddSource(ChannelsTelemetry.ActivitySourceName);
                _ = exporter == "console" ? tracing.AddConsoleExporter() : tracing.AddOtlpExporter();
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ChannelsTelemetry.MeterName);
                _ = exporter == "console" ? metrics.AddConsoleExporter() : metrics.AddOtlpExporter();
            });
    }
}
