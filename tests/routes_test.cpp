#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "lab/server/routes.hpp"

using lab::Route;

TEST_CASE("delay takes ms within 0..60000 and defaults to 100", "[unit]") {
    CHECK(lab::route("GET", "/delay").amount == std::chrono::milliseconds(100));
    CHECK(lab::route("POST", "/delay?ms=0").kind == Route::Kind::delay);
    CHECK(lab::route("GET", "/delay?x=1&ms=60000").amount == std::chrono::milliseconds(60'000));
}

TEST_CASE("a bad ms is a 400 that says why", "[unit]") {
    for (const char* target : {"/delay?ms=abc", "/delay?ms=-1", "/delay?ms=60001",
                               "/delay?ms=", "/delay?ms=12abc", "/delay?ms=99999999999999999999"}) {
        INFO(target);
        Route r = lab::route("GET", target);
        CHECK(r.kind == Route::Kind::error);
        CHECK(r.status == 400);
        CHECK(r.error_body.find("ms must") != std::string::npos);
    }
}

TEST_CASE("unknown paths are 404, wrong methods 405 with Allow", "[unit]") {
    CHECK(lab::route("GET", "/nope").status == 404);
    Route r = lab::route("DELETE", "/delay");
    CHECK(r.status == 405);
    CHECK(r.allow == "GET, POST");
    CHECK(lab::route("POST", "/health").status == 405);
    CHECK(lab::route("GET", "/health").kind == Route::Kind::health);
    CHECK(lab::route("GET", "/").kind == Route::Kind::root);
}

TEST_CASE("/cpu is bounded like /delay; /stats takes GET and ?reset=1", "[unit]") {
    CHECK(lab::route("GET", "/cpu?ms=200").kind == Route::Kind::cpu);
    CHECK(lab::route("GET", "/cpu?ms=200").amount == std::chrono::milliseconds(200));
    CHECK(lab::route("GET", "/cpu?ms=60001").status == 400);
    CHECK(lab::route("GET", "/stats").kind == Route::Kind::stats);
    CHECK(lab::route("GET", "/stats?reset=1").reset);
    CHECK(lab::route("POST", "/stats").status == 405);
}

TEST_CASE("/db is bounded like /delay", "[unit]") {
    CHECK(lab::route("GET", "/db?ms=100").kind == Route::Kind::db);
    CHECK(lab::route("POST", "/db").amount == std::chrono::milliseconds(100));
    CHECK(lab::route("GET", "/db?ms=60001").status == 400);
    CHECK(lab::route("GET", "/db?ms=-5").status == 400);
    CHECK(lab::route("PUT", "/db").status == 405);
}

TEST_CASE("/users/{id} takes GET and an id within 1..max_user_id", "[unit]") {
    Route r = lab::route("GET", "/users/42");
    CHECK(r.kind == Route::Kind::user);
    CHECK(r.user_id == 42);
    CHECK(lab::route("GET", "/users/1000000000").user_id == lab::max_user_id);
    for (const char* target :
         {"/users/", "/users/0", "/users/-3", "/users/abc", "/users/12x", "/users/1000000001",
          "/users/99999999999999999999", "/users/7/extra"}) {
        INFO(target);
        CHECK(lab::route("GET", target).status == 400);
        CHECK(lab::route("GET", target).error_body.find("a user id is") != std::string::npos);
    }
    CHECK(lab::route("POST", "/users/1").status == 405);
    CHECK(lab::route("POST", "/users/1").allow == "GET");
    CHECK(lab::route("GET", "/users").status == 404);
}

TEST_CASE("/users/{id}'s answer: the row, or a 404 naming the id", "[unit]") {
    lab::ServiceRecord found;
    found.db.found = true;
    found.db.user_name = "user 42";
    auto body = nlohmann::json::parse(lab::served_body(lab::route("GET", "/users/42"), found));
    CHECK(body["id"] == 42);
    CHECK(body["name"] == "user 42");
    auto missing = nlohmann::json::parse(
        lab::served_body(lab::route("GET", "/users/5000"), lab::ServiceRecord{}));
    CHECK(missing["status"] == 404);
    CHECK(missing["error"] == "no user 5000");
}

TEST_CASE(
    "/background/delay and /background/cpu take POST, bounded like /delay, and are answered 202",
    "[unit]") {
    Route cpu = lab::route("POST", "/background/cpu?ms=200");
    CHECK(cpu.kind == Route::Kind::cpu);
    CHECK(cpu.background);
    CHECK(cpu.amount == std::chrono::milliseconds(200));
    CHECK(lab::route("POST", "/background/delay").kind == Route::Kind::delay);
    CHECK(lab::route("POST", "/background/delay").background);
    CHECK_FALSE(lab::route("POST", "/delay").background);
    Route get = lab::route("GET", "/background/cpu");
    CHECK(get.status == 405);  // a task is an action: POST only
    CHECK(get.allow == "POST");
    CHECK(lab::route("POST", "/background/cpu?ms=60001").status == 400);
    CHECK_FALSE(lab::route("POST", "/background/cpu?ms=60001").background);
    CHECK(lab::route("POST", "/background/db").status == 404);
    CHECK(lab::route("POST", "/background").status == 404);
    auto body = nlohmann::json::parse(lab::accepted_body(cpu, 7));
    CHECK(body["accepted"] == "compute");
    CHECK(body["ms"] == 200);
    CHECK(body["task"] == 7);
}

TEST_CASE("POST /jobs takes one of cpu_ms or wait_ms, bounded like /delay; GET /jobs/{id} an id",
          "[unit]") {
    Route cpu = lab::route("POST", "/jobs?cpu_ms=1000");
    CHECK(cpu.kind == Route::Kind::job_submit);
    CHECK(cpu.computes);
    CHECK(cpu.amount == std::chrono::milliseconds(1000));
    Route wait = lab::route("POST", "/jobs?wait_ms=0");
    CHECK(wait.kind == Route::Kind::job_submit);
    CHECK_FALSE(wait.computes);
    for (const char* target : {"/jobs", "/jobs?cpu_ms=1&wait_ms=1", "/jobs?ms=100",
                               "/jobs?cpu_ms=60001", "/jobs?wait_ms=-1", "/jobs?cpu_ms="}) {
        INFO(target);
        CHECK(lab::route("POST", target).status == 400);
    }
    CHECK(lab::route("POST", "/jobs?wait_ms=x").error_body.find("wait_ms must") !=
          std::string::npos);
    CHECK(lab::route("GET", "/jobs?cpu_ms=1").status == 405);
    CHECK(lab::route("GET", "/jobs?cpu_ms=1").allow == "POST");

    Route status = lab::route("GET", "/jobs/42");
    CHECK(status.kind == Route::Kind::job_status);
    CHECK(status.job_id == 42);
    for (const char* target :
         {"/jobs/0", "/jobs/x", "/jobs/", "/jobs/1000000000001", "/jobs/1/2"}) {
        INFO(target);
        CHECK(lab::route("GET", target).status == 400);
    }
    CHECK(lab::route("POST", "/jobs/1").status == 405);
}
