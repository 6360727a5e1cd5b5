using MediaLibrary.Assets;

namespace MediaLibrary.Tests.Assets;

public sealed class BlobKeyTests
{
    [Theory]
    [InlineData("2026/03/14/c316ace8-0ded-4e41-9388-386a5759c01f.jpeg")]
    [InlineData("2021/11/23/my-new-file.png")]
    [InlineData("single.jpg")]
    [InlineData("a/b_c~d+e@f=g,h.tif")]
    public void Ordinary_keys_are_accepted(string key) => Assert.Null(BlobKey.Problem(key));

    [Theory]
    [InlineData("..")]
    [InlineData("a/../b")]
    [InlineData("/abs")]
    [InlineData("trailing/")]
    [InlineData("C:\\windows")]
    [InlineData("héllo.jpg")]
    [InlineData("a?b")]
    [InlineData("a#b")]
    public void Dangerous_keys_are_refused(string key) => Assert.NotNull(BlobKey.Problem(key));
}
