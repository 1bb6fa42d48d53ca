#pragma once
// Small helpers the tests share: a scratch folder, and running `lab` as a user would.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <sys/wait.h>

namespace test {

struct ScratchDir {
    std::filesystem::path path;
    ScratchDir() {
        path = std::filesystem::temp_directory_path() /
               ("lab-test-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(path);
    }
    ~ScratchDir() { std::filesystem::remove_all(path); }
    std::filesystem::path write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name) << text;
        return path / name;
    }
};

struct Outcome {
    int exit_code = -1;
    std::string output;  // stdout and stderr together
};

// Runs `lab ARGS` through the shell and waits for it to finish.
inline Outcome run_lab(const std::string& args) {
    Outcome o;
    std::string command = std::string(LAB_BINARY) + " " + args + " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    char chunk[4096];
    while (std::size_t n = std::fread(chunk, 1, sizeof chunk, pipe)) o.output.append(chunk, n);
    int status = pclose(pipe);
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return o;
}

}  // namespace test
