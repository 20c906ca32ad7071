module example.com/embed

go 1.26

require (
	github.com/cbl-lettings/cbl v0.0.0
	github.com/lib/pq v1.12.3
)

require (
	github.com/jmoiron/sqlx v1.4.0 // indirect
	github.com/shopspring/decimal v1.6.0 // indirect
)

replace github.com/cbl-lettings/cbl => ../..
