#include "lab/services/shared_services.hpp"

#include <cstdio>
#include <memory>
#include <stdexcept>

#include <libpq-fe.h>

namespace lab {
namespace {

// Runs one statement on the cluster's maintenance database, or throws with PostgreSQL's reason.
void administer(const PrivatePostgres& postgres, const std::string& statement) {
    std::unique_ptr<PGconn, decltype(&PQfinish)> connection(PQconnectdb(postgres.url().c_str()),
                                                            PQfinish);
    if (PQstatus(connection.get()) != CONNECTION_OK)
        throw std::runtime_error("the lab's own PostgreSQL refused a connection: " +
                                 std::string(PQerrorMessage(connection.get())));
    std::unique_ptr<PGresult, decltype(&PQclear)> result(
        PQexec(connection.get(), statement.c_str()), PQclear);
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK)
        throw std::runtime_error("the lab's own PostgreSQL refused \"" + statement +
                                 "\": " + PQerrorMessage(connection.get()));
}

std::string lesson_database(int lesson) { return "lesson_" + std::to_string(lesson); }

}  // namespace

SharedServices::SharedServices(bool postgres, bool redis) {
    try {
        if (postgres) {
            postgres_.emplace();
            std::fprintf(stderr,
                         "lab: PostgreSQL of the lab's own, in %s, started in %.2f s (a fresh "
                         "database for each lesson)\n",
                         postgres_->folder().c_str(), postgres_->start_seconds());
        }
    } catch (const std::runtime_error& e) {
        std::fprintf(stderr, "lab: no PostgreSQL shared by the lessons (%s)\n", e.what());
    }
    try {
        if (redis) {
            redis_.emplace();
            std::fprintf(stderr,
                         "lab: Redis of the lab's own, in %s, started in %.0f ms (flushed before "
                         "each lesson)\n",
                         redis_->folder().c_str(), redis_->start_seconds() * 1000);
        }
    } catch (const std::runtime_error& e) {
        std::fprintf(stderr, "lab: no Redis shared by the lessons (%s)\n", e.what());
    }
}

LessonServices SharedServices::next_lesson(bool needs_database, bool needs_redis) {
    LessonServices given;
    if (database_left_) {  // WITH (FORCE): a connection the last lesson left open goes with it
        database_left_ = false;
        administer(*postgres_, "DROP DATABASE " + lesson_database(lessons_) + " WITH (FORCE)");
    }
    ++lessons_;
    if (postgres_ && needs_database) {
        administer(*postgres_, "CREATE DATABASE " + lesson_database(lessons_));
        database_left_ = true;
        given.database_url = postgres_->database_url(lesson_database(lessons_));
    }
    if (redis_ && needs_redis) {
        redis_->flush();
        given.redis_url = redis_->url();
    }
    return given;
}

}  // namespace lab
