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
                    "build/Channels.SDK.props",
                    "build/Channels.SDK.targets",
                    "buildTransitive/Channels.SDK.props",
                    "buildTransitive/Channels.SDK.targets",
                    "README.md",
                },
                entries);

            // The readme is the one written for package users, and none of its links is relative (this repository
            // sets no RepositoryUrl, so links to docs/ are plain text; see the test below for the other case).
            using var reader = new StreamReader(package.GetEntry("README.md")!.Open());
            var readme = await reader.ReadToEndAsync();
            Assert.Contains("dotnet add package Channels.SDK", readme, StringComparison.Ordinal);
            Assert.Contains("IChannelPublisher", readme, StringComparison.Ordinal);
            Assert.Contains("ChannelSocket.Auth", readme, StringComparison.Ordinal);
            Assert.Contains("The meter `Channels.SDK`", readme, StringComparison.Ordinal);
            Assert.DoesNotContain("scripts/test.sh", readme, StringComparison.Ordinal);
            Assert.Empty(RelativeLinks(readme));
        }

        var app = Path.Combine(_root, "app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <ChannelsTypeScriptContract>front/channels-contract.ts</ChannelsTypeScriptContract>
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

        // The TypeScript contract is written by the build, rewritten only when it changes.
        var contract = Path.Combine(app, "front", "channels-contract.ts");
        Assert.True(File.Exists(contract), run.Output);
        Assert.Contains("publish: { channel: `room-${string}`; payload: string };", File.ReadAllText(contract), StringComparison.Ordinal);
        var written = File.GetLastWriteTimeUtc(contract);
        var again = await RunAsync("dotnet", "build --no-restore -nologo", app, environment);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Equal(written, File.GetLastWriteTimeUtc(contract));
        File.WriteAllText(Path.Combine(app, "Program.cs"), File.ReadAllText(Path.Combine(app, "Program.cs")).Replace("[OnMessage(\"^room-\")]", "[OnMessage(@\"^room-(?<id>\\d+)$\")]", StringComparison.Ordinal));
        var changed = await RunAsync("dotnet", "build --no-restore -nologo", app, environment);
        Assert.True(changed.ExitCode == 0, changed.Output);
        Assert.Contains("publish: { channel: `room-${number}`; payload: string };", File.ReadAllText(contract), StringComparison.Ordinal);

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

    [Fact]
    public async Task With_a_repository_url_the_package_readme_links_to_the_docs_by_absolute_urls()
    {
        var readme = Path.Combine(_root, "README.md");
        var write = await RunAsync("dotnet", $"msbuild \"{Repo.Path("src", "Runtime", "Channels.SDK.csproj")}\" -t:ChannelsWritePackageReadme -nologo -p:RepositoryUrl=https://github.com/example/channels/ -p:ChannelsPackageReadme=\"{readme}\"", Repo.Root);
        Assert.True(write.ExitCode == 0, write.Output);

        var text = File.ReadAllText(readme);
        Assert.Empty(RelativeLinks(text));
        Assert.Contains("[server API](https://github.com/example/channels/blob/main/docs/server-api.md)", text, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllLines(Repo.Path("docs", "package-readme.md")).Length, File.ReadAllLines(readme).Length);
    }

    /// <summary>Markdown links whose target is neither absolute nor an anchor of the same page.</summary>
    private static List<string> RelativeLinks(string markdown) =>
        [.. System.Text.RegularExpressions.Regex.Matches(markdown, @"\]\((?<target>[^)\s]+)\)")
            .Select(m => m.Groups["target"].Value)
            .Where(target => !target.StartsWith('#') && !target.StartsWith("https://", StringComparison.Ordinal))];

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static Task<(int ExitCode, string Output)> RunAsync(string file, string arguments, string folder, Dictionary<string, string>? environment = null) =>
        DotnetCommand.RunAsync(file, arguments, folder, environment, TimeSpan.FromMinutes(5));
}
