using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Channels.Bench.Load;

/// <summary>A server under test, started as its own process on a free 127.0.0.1 port.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process? _process;

    private ServerProcess(Process? process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>The server's process id (0 for a server attached to, not started here).</summary>
    public int ProcessId => _process?.Id ?? 0;

    /// <summary>
    /// Asks the server for a full collection that returns free memory to the OS (its <c>/bench/gc</c>
    /// endpoint), then gives it a moment to settle.
    /// </summary>
    public async Task CollectGarbageAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        for (var i = 0; i < 2; i++)
        {
            using var response = await http.GetAsync(new Uri(Address, "bench/gc"));
            response.EnsureSuccessStatusCode();
            await Task.Delay(1000);
        }
    }

    /// <summary>The server's resident memory now, in bytes (from /proc).</summary>
    public long ResidentBytes
    {
        get
        {
            if (_process is null)
            {
                return 0;
            }

            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
            }

            return 0;
        }
    }

    /// <summary>A server started elsewhere (to profile it while the harness drives it); never stopped here.</summary>
    public static ServerProcess Attach(Uri address) => new(null, address);

    public static async Task<ServerProcess> StartAsync(ServerKind kind, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = FreePort();
        var address = new Uri($"http://127.0.0.1:{port}/");
        var urls = $"--urls http://127.0.0.1:{port}";
        var info = kind.Runs switch
        {
            "node" => new ProcessStartInfo("node", $"--expose-gc server.mjs {port}") { WorkingDirectory = kind.Path },
            "signalr" or "raw" => new ProcessStartInfo("dotnet", $"\"{kind.Path}\" {kind.Runs} {urls}"),
            _ when kind.Path.EndsWith(".dll", StringComparison.Ordinal) => new ProcessStartInfo("dotnet", $"\"{kind.Path}\" {urls}"),
            _ => new ProcessStartInfo(kind.Path, urls), // a NativeAOT executable
        };
        info.Environment["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in (environment ?? new Dictionary<string, string>()).Concat(kind.Environment ?? new Dictionary<string, string>()))
        {
            info.Environment[key] = value;
        }

        return await LaunchAsync(info, port, address, kind.Runs);
    }

    /// <summary>A redis-server with no persistence on a free port, for the scale-out scenario.</summary>
    public static async Task<ServerProcess> StartRedisAsync()
    {
        var port = FreePort();
        var info = new ProcessStartInfo("redis-server", $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no");
        return await LaunchAsync(info, port, new Uri($"tcp://127.0.0.1:{port}"), "redis-server");
    }

    /// <summary>Starts the process with its output drained, and returns once its port accepts connections (30 s at most).</summary>
    private static async Task<ServerProcess> LaunchAsync(ProcessStartInfo info, int port, Uri address, string name)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{name} did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return new ServerProcess(process, address);
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(30) && !process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}

/// <summary>
/// A server to measure: its name, where its program is (a .dll run by <c>dotnet</c>, an executable, or the
/// Node server's folder), whether it is a build of ours, and which client speaks to it.
/// </summary>
/// <summary>A server the harness runs: <see cref="Runs"/> says which program (its own name unless it is a variant, such as one with another <see cref="Environment"/>).</summary>
internal sealed record ServerKind(string Name, string Label, string Path, bool IsChannels = false, string? Program = null, IReadOnlyDictionary<string, string>? Environment = null)
{
    public string Runs => Program ?? Name;

    public ILoadClient CreateClient(Uri address, bool polling = false) => (Runs, polling) switch
    {
        ("signalr", false) => new SignalRLoadClient(address),
        ("signalr", true) => new SignalRPollingLoadClient(address),
        ("raw", false) => new RawLoadClient(address),
        ("raw", true) => throw new InvalidOperationException("the raw relay has no long-polling transport"),
        (_, false) => new SocketIoLoadClient(address),
        (_, true) => new PollingLoadClient(address),
    };

    /// <summary>Whether the server runs on the JIT (a .dll run by <c>dotnet</c>): a managed heap dump can be taken.</summary>
    public bool IsManagedJit => Runs != "node" && Path.EndsWith(".dll", StringComparison.Ordinal);
}
