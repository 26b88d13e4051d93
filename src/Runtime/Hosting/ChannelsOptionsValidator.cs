using Microsoft.Extensions.Options;

namespace Channels.Hosting;

/// <summary>Checks <see cref="ChannelsOptions"/> when the app starts, naming every setting that is out of range.</summary>
internal sealed class ChannelsOptionsValidator : IValidateOptions<ChannelsOptions>
{
    public ValidateOptionsResult Validate(string? name, ChannelsOptions options)
    {
        var failures = new List<string>();
        Positive(options.PingInterval, nameof(options.PingInterval));
        Positive(options.PingTimeout, nameof(options.PingTimeout));
        Positive(options.ConnectTimeout, nameof(options.ConnectTimeout));
        AtLeast(options.MaxPayloadBytes, 16, nameof(options.MaxPayloadBytes));
        AtLeast(options.MaxAttachments, 0, nameof(options.MaxAttachments));
        AtLeast(options.MaxSubscriptionsPerSocket, 1, nameof(options.MaxSubscriptionsPerSocket));
        AtLeast(options.MaxChannelNameLength, 1, nameof(options.MaxChannelNameLength));
        AtLeast(options.MaxPresenceMembersPerChannel, 1, nameof(options.MaxPresenceMembersPerChannel));
        AtLeast(options.MaxPresenceMetaBytes, 4, nameof(options.MaxPresenceMetaBytes));
        AtLeast(options.MaxOutboundPackets, 1, nameof(options.MaxOutboundPackets));
        AtLeast(options.MaxOutboundBytes, 1, nameof(options.MaxOutboundBytes));
        AtLeast(options.MaxPendingEvents, 1, nameof(options.MaxPendingEvents));
        AtLeast(options.MaxPendingEventBytes, 1, nameof(options.MaxPendingEventBytes));
        AtLeast(options.MaxUnconnectedSessions, 1, nameof(options.MaxUnconnectedSessions));
        AtLeast(options.MaxUnconnectedSessionsPerAddress, 1, nameof(options.MaxUnconnectedSessionsPerAddress));
        AtLeast(options.MaxAuthBytes, 2, nameof(options.MaxAuthBytes));
        AtLeast(options.InboundPacketsPerSecond, 1, nameof(options.InboundPacketsPerSecond));
        AtLeast(options.InboundBytesPerSecond, options.MaxPayloadBytes, nameof(options.InboundBytesPerSecond));
        if (options.MessageLog is { } messageLog)
        {
            AtLeast(messageLog.MaxPayloadChars, 1, "MessageLog.MaxPayloadChars");
            try
            {
                Diagnostics.MessageLog.Parse(messageLog.Format ?? "");
            }
            catch (FormatException ex)
            {
                failures.Add("ChannelsOptions." + ex.Message);
            }
        }

        if (options.ConnectionStateRecovery is { } recovery)
        {
            Positive(recovery.MaxDisconnectionDuration, "ConnectionStateRecovery.MaxDisconnectionDuration");
            AtLeast(recovery.MaxPacketsPerSocket, 1, "ConnectionStateRecovery.MaxPacketsPerSocket");
            AtLeast(recovery.MaxBytesPerSocket, 1, "ConnectionStateRecovery.MaxBytesPerSocket");
            AtLeast(recovery.MaxPackets, recovery.MaxPacketsPerSocket, "ConnectionStateRecovery.MaxPackets");
            AtLeast(recovery.MaxBytes, recovery.MaxBytesPerSocket, "ConnectionStateRecovery.MaxBytes");
            AtLeast(recovery.MaxSuspendedSockets, 0, "ConnectionStateRecovery.MaxSuspendedSockets");
        }

        foreach (var (limit, rate) in options.EventRateLimits)
        {
            var setting = $"EventRateLimits[\"{limit}\"]";
            if (string.IsNullOrWhiteSpace(limit) || rate is null)
            {
                failures.Add($"ChannelsOptions.{setting} needs a non-empty name and a limit.");
                continue;
            }

            if (!(rate.PermitsPerSecond > 0) || double.IsInfinity(rate.PermitsPerSecond))
            {
                failures.Add($"ChannelsOptions.{setting}.PermitsPerSecond must be a number more than zero; it is {rate.PermitsPerSecond}.");
            }

            AtLeast(rate.Burst, 1, setting + ".Burst");
            AtLeast(rate.MaxRefusalsInARow, 1, setting + ".MaxRefusalsInARow");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Positive(TimeSpan value, string setting)
        {
            if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(1))
            {
                failures.Add($"ChannelsOptions.{setting} must be more than zero and at most one day; it is {value}.");
            }
        }

        void AtLeast(long value, long minimum, string setting)
        {
            if (value < minimum)
            {
                failures.Add($"ChannelsOptions.{setting} must be at least {minimum}; it is {value}.");
            }
        }
    }
}
