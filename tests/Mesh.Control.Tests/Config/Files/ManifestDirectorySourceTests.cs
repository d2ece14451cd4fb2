using Mesh.Control.Config.Files;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Control.Tests.Config.Files;

public class ManifestDirectorySourceTests
{
    private static string Sa(string name, string ns = "demo") => $"""
        apiVersion: v1
        kind: ServiceAccount
        metadata: {"{"}name: {name}, namespace: {ns}{"}"}

        """;

    private static string Deployment(int replicas) => $$$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: demo}
        spec:
          replicas: {{{replicas}}}
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: mesh/echo}]}
        """;

    [Fact]
    public void Missing_directory_is_a_clear_error()
    {
        var missing = Path.Combine(Path.GetTempPath(), "mesh-does-not-exist-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<DirectoryNotFoundException>(() => new ManifestDirectorySource(missing, ManifestSourceOptions.Default, NullLogger.Instance));
        Assert.Equal($"manifest directory '{missing}' does not exist", e.Message);
    }

    [Fact]
    public void Loads_the_example_set_recursively()
    {
        using var dir = new TempManifestDirectory(TempManifestDirectory.TestData("quickstart"));
        dir.Write("nested/deeper/extra.yml", Sa("extra"));
        dir.Write("README.md", "not a manifest");
        dir.Write(".hidden/shadow.yaml", Sa("shadow"));
        dir.Write(".echo.yaml.swp", "garbage: [");

        var snapshot = dir.Source.Reload();

        Assert.Empty(snapshot.Errors);
        Assert.Equal(6, snapshot.Files);
        var set = snapshot.Set;
        Assert.Equal("demo", Assert.Single(set.Namespaces).Metadata.Name);
        Assert.Equal(["client", "echo", "extra"], set.ServiceAccounts.Select(s => s.Metadata.Name));
        Assert.Single(set.Deployments);
        Assert.Equal(3, set.Pods.Length); // client + 2 echo replicas
        Assert.Equal(2, set.Pods.Count(p => p.Metadata.Labels.ContainsKey("pod-template-hash")));
        Assert.Single(set.Services);
        Assert.Single(set.AuthorizationPolicies);
        Assert.Single(set.PeerAuthentications);
        Assert.Single(set.Gateways);
        Assert.Single(set.HttpRoutes);
        Assert.StartsWith("security.yaml document 2 (ConfigMap demo/echo-settings): v1 ConfigMap is not supported", Assert.Single(snapshot.Warnings));
    }

    [Fact]
    public void Pod_names_survive_a_restart()
    {
        using var dir = new TempManifestDirectory(TempManifestDirectory.TestData("quickstart"));
        var first = dir.Source.Reload().Set.Pods.Select(p => p.Metadata.Name).ToList();
        using var again = new ManifestDirectorySource(dir.Path, ManifestSourceOptions.Default, NullLogger.Instance);
        Assert.Equal(first, again.Reload().Set.Pods.Select(p => p.Metadata.Name));
    }

    [Fact]
    public async Task Watches_added_modified_and_deleted_files()
    {
        using var dir = new TempManifestDirectory();
        dir.Source.Start();

        var added = await dir.ChangeAndWait(() => dir.Write("sub/a.yaml", Sa("a")), s => s.Set.ServiceAccounts.Length == 1);
        Assert.Equal("a", added.Set.ServiceAccounts[0].Metadata.Name);

        var modified = await dir.ChangeAndWait(() => dir.Write("sub/a.yaml", Sa("a") + "---\n" + Sa("b")), s => s.Set.ServiceAccounts.Length == 2);
        Assert.Equal(["a", "b"], modified.Set.ServiceAccounts.Select(s => s.Metadata.Name));

        var deleted = await dir.ChangeAndWait(() => File.Delete(Path.Combine(dir.Path, "sub/a.yaml")), s => s.Set.ServiceAccounts.IsEmpty);
        Assert.Equal(0, deleted.Files);
    }

    [Fact]
    public async Task Scaling_a_deployment_keeps_existing_pod_names()
    {
        using var dir = new TempManifestDirectory();
        dir.Write("web.yaml", Deployment(2));
        dir.Source.Start();
        var two = dir.Source.Current.Set.Pods.Select(p => p.Metadata.Name).ToHashSet();

        var three = await dir.ChangeAndWait(() => dir.Write("web.yaml", Deployment(3)), s => s.Set.Pods.Length == 3);
        Assert.Subset(three.Set.Pods.Select(p => p.Metadata.Name).ToHashSet(), two);
    }

    [Fact]
    public async Task Editor_rename_on_save_is_picked_up()
    {
        using var dir = new TempManifestDirectory();
        var target = dir.Write("a.yaml", Sa("before"));
        dir.Source.Start();

        var after = await dir.ChangeAndWait(() =>
        {
            var temp = dir.Write("a.yaml.tmp~", Sa("after"));
            File.Move(temp, target, overwrite: true);
        }, s => s.Set.ServiceAccounts.Any(a => a.Metadata.Name == "after"));

        Assert.Equal("after", Assert.Single(after.Set.ServiceAccounts).Metadata.Name);
    }

    [Fact]
    public async Task Malformed_edit_keeps_the_last_good_state_and_fixing_it_applies_the_new_one()
    {
        using var dir = new TempManifestDirectory();
        dir.Write("a.yaml", Sa("one"));
        dir.Source.Start();
        Assert.Empty(dir.Source.Current.Errors);

        var broken = await dir.ChangeAndWait(
            () => dir.Write("a.yaml", Sa("one") + "---\n" + Sa("two") + "---\napiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: demo}\nspec: {ports: [{port: 0}]}\n"),
            s => s.Errors.Count > 0);
        Assert.Equal(["one"], broken.Set.ServiceAccounts.Select(s => s.Metadata.Name));
        var error = Assert.Single(broken.Errors);
        Assert.Equal(("a.yaml", 2, 12), (error.File, error.Document, error.Line));
        Assert.StartsWith("a.yaml document 2 (Service demo/s): spec.ports[0].port: Invalid value: 0", error.Message);

        var fixedUp = await dir.ChangeAndWait(
            () => dir.Write("a.yaml", Sa("one") + "---\n" + Sa("two")),
            s => s.Errors.Count == 0);
        Assert.Equal(["one", "two"], fixedUp.Set.ServiceAccounts.Select(s => s.Metadata.Name));
    }

    [Fact]
    public void A_file_that_was_never_good_contributes_nothing()
    {
        using var dir = new TempManifestDirectory();
        dir.Write("bad.yaml", Sa("x") + "---\nkind: ServiceAccount\nmetadata: {name: y}\n");
        dir.Write("good.yaml", Sa("g"));

        var snapshot = dir.Source.Reload();

        Assert.Equal(["g"], snapshot.Set.ServiceAccounts.Select(s => s.Metadata.Name));
        Assert.Contains("bad.yaml document 1 (ServiceAccount default/y): apiVersion: Required value", Assert.Single(snapshot.Errors).Message);
    }

    [Fact]
    public void Duplicates_across_files_name_both_files_and_the_first_wins()
    {
        using var dir = new TempManifestDirectory();
        dir.Write("a.yaml", Sa("same") + "---\n" + Sa("only-a"));
        dir.Write("b/b.yaml", Sa("only-b") + "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: same, namespace: demo, labels: {from: b}}\n");

        var snapshot = dir.Source.Reload();

        Assert.Equal(["only-a", "only-b", "same"], snapshot.Set.ServiceAccounts.Select(s => s.Metadata.Name));
        Assert.Null(snapshot.Set.ServiceAccounts.Single(s => s.Metadata.Name == "same").Metadata.Labels);
        var error = Assert.Single(snapshot.Errors);
        Assert.Equal(("b/b.yaml", 1), (error.File, error.Document));
        Assert.Contains("b/b.yaml document 1 (ServiceAccount demo/same): duplicate object", error.Message);
        Assert.Contains("already defined in a.yaml document 0", error.Message);
    }

    [Fact]
    public void Unreadable_file_is_an_error_not_a_crash()
    {
        using var dir = new TempManifestDirectory();
        dir.Write("good.yaml", Sa("g"));
        File.CreateSymbolicLink(Path.Combine(dir.Path, "dangling.yaml"), Path.Combine(dir.Path, "missing-target.yaml"));

        var snapshot = dir.Source.Reload();

        Assert.Single(snapshot.Set.ServiceAccounts);
        var error = Assert.Single(snapshot.Errors);
        Assert.Equal("dangling.yaml", error.File);
        Assert.StartsWith("dangling.yaml: cannot be read", error.Message);
    }

    [Fact]
    public void Changed_fires_only_when_the_result_changes()
    {
        using var dir = new TempManifestDirectory(options: new ManifestSourceOptions { Debounce = TimeSpan.FromMinutes(5), PollInterval = Timeout.InfiniteTimeSpan });
        dir.Write("a.yaml", Sa("a"));
        var events = 0;
        dir.Source.Changed += _ => Interlocked.Increment(ref events);
        dir.Source.Start();
        var first = dir.Source.Current;
        Assert.Equal(1, events);

        dir.Write("a.yaml", "# just a comment\n" + Sa("a"));
        Assert.Same(first, dir.Source.Reload());
        dir.Write("b.yaml", "# empty\n");
        Assert.Same(first, dir.Source.Reload());
        Assert.Equal(1, events);

        dir.Write("a.yaml", Sa("renamed"));
        Assert.NotSame(first, dir.Source.Reload());
        Assert.Equal(2, events);
    }

    [Fact]
    public async Task Poll_fallback_catches_changes_the_watcher_path_does_not_apply()
    {
        // Debounce far beyond the deadline: only the poll can apply the change in time.
        using var dir = new TempManifestDirectory(options: new ManifestSourceOptions { Debounce = TimeSpan.FromMinutes(5), PollInterval = TimeSpan.FromMilliseconds(100) });
        dir.Source.Start();

        var snapshot = await dir.ChangeAndWait(() => dir.Write("late.yaml", Sa("late")), s => s.Set.ServiceAccounts.Length == 1);
        Assert.Equal("late", snapshot.Set.ServiceAccounts[0].Metadata.Name);
    }
}
