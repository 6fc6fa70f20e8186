-- One database per service: each service owns its data.
CREATE DATABASE bakohumas_directory;
CREATE DATABASE bakohumas_calendar;
CREATE DATABASE bakohumas_distribution;
CREATE DATABASE bakohumas_complaints;
CREATE DATABASE bakohumas_information;
CREATE DATABASE bakohumas_notifications;
