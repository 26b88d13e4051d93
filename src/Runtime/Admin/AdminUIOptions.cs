using System.Text.Json;

namespace Channels;

/// <summary>
/// Options of the Socket.IO Admin UI server (<see cref="AdminUIBuilderExtensions.AddAdminUI"/>). Authentication
/// is required: set <see cref="Username"/> and <see cref="Password"/>, or <see cref="Authenticate"/>; the app
/// does not start otherwise.
/// </summary>
public sealed class AdminUIOptions
{
    /// <summary>The user name the UI's login form must send.</summary>
    public string? Username { get; set; }

    /// <summary>The password the UI's login form must send (compared in constant time).</summary>
    public string? Password { get; set; }

    /// <summary>
    /// Decides a login from the UI's CONNECT auth payload (<c>{"username":…,"password":…}</c>); used instead of
    /// <see cref="Username"/> and <see cref="Password"/> when set.
    /// </summary>
    public Func<JsonElement, ValueTask<bool>>? Authenticate { get; set; }

    /// <summary>When true, the UI may watch but not act: no join, leave, disconnect or emit command is accepted.</summary>
    public bool ReadOnly { get; set; }

    /// <summary>What the UI is told: <see cref="AdminUIMode.Development"/> (the default) includes every socket, channel and event.</summary>
    public AdminUIMode Mode { get; set; } = AdminUIMode.Development;

    /// <summary>The Socket.IO namespace of the UI's connection, <c>/admin</c> by default (the UI's "Admin namespace" field).</summary>
    public string Namespace { get; set; } = "/admin";

    /// <summary>The server's name in the UI's Servers view; the machine name by default.</summary>
    public string? ServerId { get; set; }

    /// <summary>How often <c>server_stats</c> is sent to the UI: every 2 seconds by default.</summary>
    public TimeSpan StatsInterval { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>How much the Admin UI is shown.</summary>
public enum AdminUIMode
{
    /// <summary>Every socket, its channels (as rooms) and its events, live; plus the server statistics.</summary>
    Development,

    /// <summary>The server statistics only: no socket, channel or event is sent to the UI.</summary>
    Production,
}
