using Channels.Tests;

namespace Channels.Handlers.Tests;

/// <summary>
/// The one-package promise: <c>dotnet pack</c> of the runtime, a fresh project that references only
/// <c>Channels.SDK</c> from a local folder feed, built and run; a bad handler in it fails the build.
/// </summary>
public sealed class PackageTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("channels-package-").FullName;

    [Fact]
    public async Task A_project_referencing_only_the_package_builds_runs_and_gets_CHN_errors()
    {
        var feed = Path.Combine(_root, "feed");
        var version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var pack = await RunAsync("dotnet", $"pack \"{Repo.Path("src", "Runtime", "Channels.SDK.csproj")}\" -c Release -nologo -o \"{feed}\" -p:Version={version}", Repo.Root);
        Assert.True(pack.ExitCode == 0, pack.Output);
        using (var package = System.IO.Compression.ZipFile.OpenRead(Path.Combine(feed, $"Channels.SDK.{version}.nupkg")))
        {
            var entries = package.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            Assert.Superset(
                new HashSet<string>(StringComparer.Ordinal)
                {
                    "lib/net10.0/Channels.SDK.dll",
                    "lib/net10.0/Channels.SDK.xml",
                    "analyzers/dotnet/cs/Channels.SDK.Generators.dll",
                    "analyzers/dotnet/cs/Channels.SDK.Analyzers.dll",
                    "analyzers/dotnet/cs/Channels.SDK.CodeFixes.dll",
                    "README.md",
                },
                entries);
        }

        var app = Path.Combine(_root, "app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Channels.SDK" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using Channels;

            var builder = WebApplication.CreateSlimBuilder(args);
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Services.AddChannels();
            var app = builder.Build();
            app.MapChannels();
            await app.StartAsync();
            Console.WriteLine($"tables={ChannelHandlerTables.Registered.Count}");
            await app.StopAsync();

            public partial class ChatHandlers
            {
                [OnMessage("^room-")]
                public void Chat(string text, string channel) => Console.WriteLine(text);
            }
            """);

        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(_root, "packages") };
        var restore = await RunAsync("dotnet", $"restore --source \"{feed}\" -nologo", app, environment);
        Assert.True(restore.ExitCode == 0, restore.Output);
        var run = await RunAsync("dotnet", "run --no-restore -nologo", app, environment);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("tables=1", run.Output, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(app, "Bad.cs"), """
            using Channels;

            public class BadHandlers
            {
                [OnMessage] public void Chat(string text) { }
            }
            """);
        var bad = await RunAsync("dotnet", "build --no-restore -nologo", app, environment);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("Bad.cs(3,14): error CHN0001", bad.Output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static Task<(int ExitCode, string Output)> RunAsync(string file, string arguments, string folder, Dictionary<string, string>? environment = null) =>
        DotnetCommand.RunAsync(file, arguments, folder, environment, TimeSpan.FromMinutes(5));
}
