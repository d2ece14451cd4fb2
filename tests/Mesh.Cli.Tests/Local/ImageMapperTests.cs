using Mesh.Cli.Local.Pods;
using Mesh.Protocol.Local;

namespace Mesh.Cli.Tests.Local;

public class ImageMapperTests
{
    private static LocalContainer Container(string image, string[]? command = null, string[]? args = null) =>
        new("main", image, command ?? [], args ?? [], new Dictionary<string, string>(), [], null);

    private static ContainerProgram Map(LocalContainer c) => ImageMapper.Map(c, () => "/bin/mesh-echo.dll", "/usr/bin/dotnet");

    [Theory]
    [InlineData("meshactors/echo", "meshactors/echo")]
    [InlineData("docker.io/meshactors/echo:1.2", "meshactors/echo")]
    [InlineData("localhost:5000/curlimages/curl:8.5", "curlimages/curl")]
    [InlineData("busybox@sha256:abc", "busybox")]
    [InlineData("docker.io/library/alpine:3", "alpine")]
    public void Repository_strips_registry_tag_and_digest(string image, string repository) =>
        Assert.Equal(repository, ImageMapper.Repository(image));

    [Fact]
    public void Echo_runs_the_shipped_dll_with_its_args()
    {
        var p = Map(Container("meshactors/echo:latest", args: ["--x"]));
        Assert.Equal("/usr/bin/dotnet", p.Program);
        Assert.Equal(["/bin/mesh-echo.dll", "--x"], p.Args);
    }

    [Theory]
    [InlineData("meshactors/sleep")]
    [InlineData("curlimages/curl")]
    [InlineData("busybox:1.36")]
    [InlineData("alpine")]
    public void Sleep_like_images_without_command_sleep(string image)
    {
        var p = Map(Container(image));
        Assert.Equal("sleep", p.Program);
        Assert.Equal(["infinity"], p.Args);
    }

    [Fact]
    public void Args_alone_form_the_command_of_sleep_like_images()
    {
        var p = Map(Container("busybox", args: ["sleep", "10"]));
        Assert.Equal("sleep", p.Program);
        Assert.Equal(["10"], p.Args);
    }

    [Fact]
    public void Other_images_with_a_command_run_it_and_say_so()
    {
        var p = Map(Container("python:3.12", ["python3", "-m", "http.server"], ["8080"]));
        Assert.Equal("python3", p.Program);
        Assert.Equal(["-m", "http.server", "8080"], p.Args);
        Assert.Contains("not built in", p.Note);
        Assert.Null(p.Error);
    }

    [Fact]
    public void Other_images_without_a_command_fail_clearly()
    {
        var p = Map(Container("nginx:1.27"));
        Assert.Null(p.Program);
        Assert.Contains("image 'nginx:1.27' is not built in", p.Error);
        Assert.Contains("give container 'main' a command", p.Error);
    }
}
